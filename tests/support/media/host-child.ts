// A headless host in its own process, so a test can kill -9 it in the middle of a recording.
// argv: dataDir rendererDir. Starts a real exam session on the device (what main files the
// recording under), prints one JSON line with the page URL and that session, then serves until
// killed.
import { startMediaHost } from './host';
import { startExamSession } from './session';

const [dataDir, rendererDir] = process.argv.slice(2);
if (!dataDir || !rendererDir) throw new Error('usage: host-child.ts DATA_DIR RENDERER_DIR');
const media = await startMediaHost(dataDir, rendererDir);
const { sessionId } = await startExamSession(media.app);
process.stdout.write(JSON.stringify({ url: media.host.url, pid: process.pid, sessionId }) + '\n');
