// Where the files Vigil ships inside its npm dependencies live: Human's face models, Tesseract's
// English data, ffmpeg and ffprobe. In a packaged app these sit in app.asar.unpacked (see
// electron-builder.yml asarUnpack), so paths that resolve into app.asar are rewritten.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Human models the face analyzer loads (detector, mesh, iris, embedding, anti-spoofing). */
export const requiredHumanModels = ['blazeface', 'facemesh', 'iris', 'faceres', 'antispoof', 'liveness'];

export function unpackedPath(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

function packageRoot(entry: string, name: string): string {
  let dir = path.dirname(entry);
  while (dir !== path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === name)
      return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the ${name} package folder`);
}

export interface BundledPaths {
  humanModelsDir: string;
  tesseractDataDir: string;
  ffmpegPath: string;
  ffprobePath: string;
}

function tryResolve<T>(resolve: () => T): T | string {
  try {
    return resolve();
  } catch (error) {
    return `(not found: ${(error as Error).message.split('\n')[0]})`;
  }
}

/** Default locations, with the config's media.ffmpegPath / ffprobePath overrides applied. */
export function bundledPaths(overrides: { ffmpegPath?: string; ffprobePath?: string } = {}): BundledPaths {
  const humanRoot = tryResolve(() => packageRoot(require.resolve('@vladmandic/human'), '@vladmandic/human'));
  const tesseract = tryResolve(() => require('@tesseract.js-data/eng') as { langPath: string });
  return {
    humanModelsDir: unpackedPath(path.join(humanRoot, 'models')),
    tesseractDataDir: unpackedPath(typeof tesseract === 'string' ? tesseract : tesseract.langPath),
    ffmpegPath:
      overrides.ffmpegPath ??
      unpackedPath(tryResolve(() => (require('@ffmpeg-installer/ffmpeg') as { path: string }).path)),
    ffprobePath:
      overrides.ffprobePath ??
      unpackedPath(tryResolve(() => (require('@ffprobe-installer/ffprobe') as { path: string }).path)),
  };
}
