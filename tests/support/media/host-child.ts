// A headless host in its own process, so a test can kill -9 it in the middle of a recording.
// argv: dataDir rendererDir. Prints one JSON line with the page URL, then serves until killed.
import { startMediaHost } from './host';

const [dataDir, rendererDir] = process.argv.slice(2);
if (!dataDir || !rendererDir) throw new Error('usage: host-child.ts DATA_DIR RENDERER_DIR');
const media = await startMediaHost(dataDir, rendererDir);
process.stdout.write(JSON.stringify({ url: media.host.url, pid: process.pid }) + '\n');
