// Where the ffmpeg/ffprobe binaries come from: the bundled packages by default (executable inside a
// packaged app only once unpacked from the asar archive), the config keys when set.
import { describe, expect, it } from 'vitest';
import { resolveMediaBinaries, unpackedPath } from '../../../src-main/media/binaries';

describe('media binaries', () => {
  it('uses the bundled @ffmpeg-installer / @ffprobe-installer binaries by default', () => {
    const bins = resolveMediaBinaries({});
    expect(bins.ffmpeg).toMatch(/@ffmpeg-installer[\\/].+[\\/]ffmpeg(\.exe)?$/);
    expect(bins.ffprobe).toMatch(/@ffprobe-installer[\\/].+[\\/]ffprobe(\.exe)?$/);
  });

  it('prefers media.ffmpegPath / media.ffprobePath when configured', () => {
    const bundled = resolveMediaBinaries({});
    expect(resolveMediaBinaries({ ffmpegPath: bundled.ffprobe, ffprobePath: bundled.ffmpeg })).toEqual({
      ffmpeg: bundled.ffprobe,
      ffprobe: bundled.ffmpeg,
    });
  });

  it('points into app.asar.unpacked inside a packaged app', () => {
    expect(
      unpackedPath('/opt/Vigil/resources/app.asar/node_modules/@ffmpeg-installer/linux-x64/ffmpeg'),
    ).toBe('/opt/Vigil/resources/app.asar.unpacked/node_modules/@ffmpeg-installer/linux-x64/ffmpeg');
    expect(unpackedPath('C:\\Vigil\\resources\\app.asar\\node_modules\\x\\ffmpeg.exe')).toBe(
      'C:\\Vigil\\resources\\app.asar.unpacked\\node_modules\\x\\ffmpeg.exe',
    );
    expect(unpackedPath('/usr/bin/ffmpeg')).toBe('/usr/bin/ffmpeg');
  });
});
