// A 3-hour recording at the recorder's default bitrate (1 Mbit/s VP8 + 64 kbit/s Opus ≈ 1.46 GB),
// made in about 15 s: 30 s of noisy low-resolution video really encoded at that bitrate, then
// looped by stream copy to the full length into a seekable WebM with its cues in front, the shape of the merged
// recording (src-main/media/merge.ts) a real 3-hour session uploads.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { hashFile } from '../../../src-main/store/blob-uploads';
import { bins } from './fixtures';

export const THREE_HOURS_S = 3 * 3600;
/** MediaRecorder's bitrates in src-renderer/capture/recorder.ts (video + audio). */
export const DEFAULT_RECORDING_BITS_PER_SECOND = 1_000_000 + 64_000;

export interface LongRecording {
  file: string;
  sha256: string;
  size: number;
  durationS: number;
}

function ffmpeg(args: string[]): void {
  const run = spawnSync(bins().ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr}`);
}

export async function makeLongRecording(dir: string, durationS = THREE_HOURS_S): Promise<LongRecording> {
  const short = path.join(dir, 'loop.webm');
  const file = path.join(dir, 'recording.webm');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15,noise=alls=60:allf=t'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', '30', '-c:v', 'libvpx', '-b:v', '1000k', '-minrate', '1000k', '-maxrate', '1000k'],
    ...['-bufsize', '1000k', '-g', '30', '-deadline', 'realtime', '-cpu-used', '8'],
    ...['-c:a', 'libopus', '-b:a', '64k', short],
  ]);
  // Cues at the front, as mergeSegments writes them (room reserved: a thousandth of the media).
  const reserve = String(Math.ceil((durationS * DEFAULT_RECORDING_BITS_PER_SECOND) / 8 / 1000));
  ffmpeg(
    ['-stream_loop', '-1', '-i', short, '-t', String(durationS), '-c', 'copy'].concat([
      '-reserve_index_space',
      reserve,
      file,
    ]),
  );
  const { sha256, size } = await hashFile(file);
  return { file, sha256, size, durationS };
}
