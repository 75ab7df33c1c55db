// ffmpeg and ffprobe must run (not just exist): a quarantined, non-executable or wrong-architecture
// binary only shows up when a recording is merged at the end of an exam.
import { execFile } from 'node:child_process';
import type { DoctorCheck } from '../types';

function runVersion(
  binary: string,
  timeoutMs: number,
): Promise<{ ok: true; version: string } | { ok: false; problem: string }> {
  return new Promise((resolve) => {
    execFile(
      binary,
      ['-hide_banner', '-version'],
      { timeout: timeoutMs, windowsHide: true },
      (error, stdout) => {
        if (error) resolve({ ok: false, problem: error.message.split('\n')[0] ?? 'failed' });
        else resolve({ ok: true, version: stdout.split('\n')[0]?.trim() ?? '' });
      },
    );
  });
}

export async function binariesCheck(
  paths: { ffmpegPath: string; ffprobePath: string },
  timeoutMs = 15_000,
): Promise<DoctorCheck> {
  const [ffmpeg, ffprobe] = await Promise.all([
    runVersion(paths.ffmpegPath, timeoutMs),
    runVersion(paths.ffprobePath, timeoutMs),
  ]);
  const problems: string[] = [];
  if (!ffmpeg.ok) problems.push(`ffmpeg does not run (${paths.ffmpegPath}): ${ffmpeg.problem}`);
  if (!ffprobe.ok) problems.push(`ffprobe does not run (${paths.ffprobePath}): ${ffprobe.problem}`);
  return {
    id: 'binaries',
    title: 'ffmpeg and ffprobe',
    status: problems.length > 0 ? 'fail' : 'ok',
    summary: problems.length > 0 ? problems.join('; ') : 'ffmpeg and ffprobe run',
    details: {
      ffmpeg: { path: paths.ffmpegPath, ...ffmpeg },
      ffprobe: { path: paths.ffprobePath, ...ffprobe },
    },
  };
}
