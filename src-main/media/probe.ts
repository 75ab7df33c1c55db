// ffprobe through fluent-ffmpeg: what streams a file has and how long it lasts. Used to check every
// merged file before a recording counts as done, and by `vigil media probe`.
import ffmpeg from 'fluent-ffmpeg';
import fs from 'node:fs';
import type { MediaBinaries } from './binaries';
import { mediaError } from './media-error';

export interface ProbeStream {
  type: string;
  codec: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
}

export interface ProbeResult {
  file: string;
  formatName: string;
  durationS: number;
  sizeBytes: number;
  bitRate: number | null;
  streams: ProbeStream[];
}

export async function probeMedia(bins: MediaBinaries, file: string): Promise<ProbeResult> {
  if (!fs.existsSync(file)) {
    throw mediaError('not_found', `There is no media file at ${file}.`, { file });
  }
  const data = await new Promise<ffmpeg.FfprobeData>((resolve, reject) => {
    ffmpeg(file)
      .setFfprobePath(bins.ffprobe)
      .ffprobe((error: unknown, result: ffmpeg.FfprobeData) =>
        error ? reject(error instanceof Error ? error : new Error(JSON.stringify(error))) : resolve(result),
      );
  }).catch((error: unknown) => {
    throw mediaError('check_failed', `ffprobe cannot read ${file}: it is not a playable media file.`, {
      file,
      ffprobe: (error as Error).message.slice(-400),
    });
  });
  const num = (v: unknown): number | undefined => {
    const n = typeof v === 'number' ? v : Number.parseFloat(String(v));
    return Number.isFinite(n) ? n : undefined;
  };
  return {
    file,
    formatName: data.format.format_name ?? 'unknown',
    durationS: num(data.format.duration) ?? 0,
    sizeBytes: num(data.format.size) ?? fs.statSync(file).size,
    bitRate: num(data.format.bit_rate) ?? null,
    streams: data.streams.map((s) => {
      const stream: ProbeStream = { type: s.codec_type ?? 'unknown', codec: s.codec_name ?? 'unknown' };
      if (s.width) stream.width = s.width;
      if (s.height) stream.height = s.height;
      const rate = num(s.sample_rate);
      if (rate) stream.sampleRate = rate;
      if (s.channels) stream.channels = s.channels;
      return stream;
    }),
  };
}

export interface MergeCheck {
  expectedS: number;
  /** Allowed relative difference (0.01 = 1 %). */
  tolerance: number;
  /** Allowed absolute difference in seconds, when larger than the relative one (recovery). */
  toleranceS?: number;
}

/** Checks both streams are present and the duration matches the recorded time; throws check_failed. */
export function checkMerged(probe: ProbeResult, check: MergeCheck): void {
  const hasVideo = probe.streams.some((s) => s.type === 'video');
  const hasAudio = probe.streams.some((s) => s.type === 'audio');
  const allowed = Math.max(check.expectedS * check.tolerance, check.toleranceS ?? 0);
  const problems: string[] = [];
  if (!hasVideo) problems.push('no video stream');
  if (!hasAudio) problems.push('no audio stream');
  if (Math.abs(probe.durationS - check.expectedS) > allowed) {
    problems.push(`lasts ${probe.durationS.toFixed(2)} s instead of ${check.expectedS.toFixed(2)} s`);
  }
  if (problems.length > 0) {
    throw mediaError(
      'check_failed',
      `The merged recording ${probe.file} failed its check (${problems.join(', ')}). The recorded segments are kept: run \`vigil media recover\` or send them to support.`,
      {
        file: probe.file,
        problems,
        durationS: probe.durationS,
        expectedS: check.expectedS,
        allowedS: allowed,
      },
    );
  }
}
