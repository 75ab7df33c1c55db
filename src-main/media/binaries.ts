// Finds the ffmpeg and ffprobe executables: the config keys media.ffmpegPath / media.ffprobePath
// when set, else the binaries bundled through @ffmpeg-installer / @ffprobe-installer, so no system
// ffmpeg is needed. A missing or non-executable binary is a typed error naming the key to fix.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { mediaError } from './media-error';

export interface MediaBinaries {
  ffmpeg: string;
  ffprobe: string;
}

const require = createRequire(import.meta.url);

/** In a packaged app the binaries must be unpacked from the asar archive to be executable. */
export function unpackedPath(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

function bundled(pkg: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe'): string | undefined {
  try {
    return unpackedPath((require(pkg) as { path: string }).path);
  } catch {
    // The installer throws when its platform package is absent; reported below as missing.
    return undefined;
  }
}

function checkExecutable(file: string | undefined): boolean {
  if (!file) return false;
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function resolveMediaBinaries(config: { ffmpegPath?: string; ffprobePath?: string }): MediaBinaries {
  const ffmpeg = config.ffmpegPath ?? bundled('@ffmpeg-installer/ffmpeg');
  const ffprobe = config.ffprobePath ?? bundled('@ffprobe-installer/ffprobe');
  if (!checkExecutable(ffmpeg)) {
    throw mediaError(
      'ffmpeg_missing',
      `ffmpeg was not found at ${ffmpeg ?? '(bundled binary missing)'}: set media.ffmpegPath to an ffmpeg executable or reinstall Vigil.`,
      { binary: 'ffmpeg', path: ffmpeg ?? null, configKey: 'media.ffmpegPath' },
    );
  }
  if (!checkExecutable(ffprobe)) {
    throw mediaError(
      'ffprobe_missing',
      `ffprobe was not found at ${ffprobe ?? '(bundled binary missing)'}: set media.ffprobePath to an ffprobe executable or reinstall Vigil.`,
      { binary: 'ffprobe', path: ffprobe ?? null, configKey: 'media.ffprobePath' },
    );
  }
  return { ffmpeg: ffmpeg as string, ffprobe: ffprobe as string };
}
