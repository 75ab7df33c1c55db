// Merges a recording's segment files into one seekable file with ffmpeg (through fluent-ffmpeg).
// MediaRecorder WebM carries no duration and no cues; a stream-copy remux into WebM writes both.
// Several segments (one per MediaRecorder run) are first remuxed one by one, then concatenated.
// The output is written beside the target and renamed into place only when ffmpeg succeeded.
import ffmpeg from 'fluent-ffmpeg';
import fs from 'node:fs';
import path from 'node:path';
import type { MediaBinaries } from './binaries';
import { ensureWritableDir, fsError, mediaError } from './media-error';

export type MergeFormat = 'webm' | 'mp4';

export interface MergeOptions {
  bins: MediaBinaries;
  inputs: string[];
  output: string;
  format: MergeFormat;
  /** Expected media length, to turn ffmpeg's time mark into a percentage. */
  expectedS?: number;
  onProgress?: (percent: number) => void;
  /** Encoder threads for MP4 (default: ffmpeg's choice). */
  threads?: number;
  /** Lets the caller abort ffmpeg (e.g. segment verification failed meanwhile). */
  signal?: AbortSignal;
}

function timemarkSeconds(mark: string | undefined): number | undefined {
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(mark ?? '');
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function runFfmpeg(
  command: ffmpeg.FfmpegCommand,
  options: Pick<MergeOptions, 'expectedS' | 'onProgress' | 'signal'>,
  span: { from: number; to: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new Error('merge aborted'));
      return;
    }
    let lastPercent = -1;
    const abort = () => command.kill('SIGKILL');
    options.signal?.addEventListener('abort', abort, { once: true });
    command
      .on('progress', (p: { timemark?: string }) => {
        const seconds = timemarkSeconds(p.timemark);
        if (!options.onProgress || !options.expectedS || seconds === undefined) return;
        const share = Math.min(1, seconds / options.expectedS);
        const percent = Math.floor(span.from + (span.to - span.from) * share);
        if (percent > lastPercent) {
          lastPercent = percent;
          options.onProgress(percent);
        }
      })
      .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
        options.signal?.removeEventListener('abort', abort);
        const tail = (stderr ?? '').split('\n').slice(-8).join('\n');
        reject(Object.assign(error, { stderrTail: tail }));
      })
      .on('end', () => {
        options.signal?.removeEventListener('abort', abort);
        resolve();
      })
      .run();
  });
}

/**
 * Room for the cues (the seek index) at the front of the WebM: a browser reads them with the header,
 * so a seek in a 3-hour recording is one range request. At the end (ffmpeg's default) Chromium
 * scans every cluster up to the seek target: 3 s from disk for a warning an hour in, over 20 s
 * through the console. A cue point per keyframe is ~15 bytes; a thousandth of the media leaves room
 * for one a second down to ~120 kbit/s (if it does not fit, ffmpeg writes the cues at the end).
 */
function cueSpace(inputBytes: number): number {
  return Math.min(16 * 2 ** 20, Math.max(256 * 1024, Math.ceil(inputBytes / 1000)));
}

function outputOptions(format: MergeFormat, threads: number | undefined, inputBytes: number): string[] {
  if (format === 'webm') return ['-c copy', `-reserve_index_space ${cueSpace(inputBytes)}`, '-f webm'];
  return [
    '-c:v libx264',
    '-preset superfast',
    '-crf 26',
    '-pix_fmt yuv420p',
    '-c:a aac',
    '-b:a 96k',
    '-movflags +faststart',
    ...(threads ? [`-threads ${threads}`] : []),
    '-f mp4',
  ];
}

function inputBytes(inputs: string[]): number {
  return inputs.reduce((sum, file) => sum + (fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0), 0);
}

/** Merges `inputs` into `output`; on failure nothing is left at `output` and the inputs are untouched. */
export async function mergeSegments(options: MergeOptions): Promise<void> {
  const { bins, inputs, output, format } = options;
  if (inputs.length === 0) {
    throw mediaError('segment_missing', 'This recording has no segments to merge.', { output });
  }
  const dir = path.dirname(output);
  ensureWritableDir(dir, 'the merged recording');
  const partial = path.join(dir, `.${path.basename(output)}.partial`);
  const temps: string[] = [];
  const cleanup = () => {
    for (const file of [partial, ...temps]) fs.rmSync(file, { force: true });
  };
  try {
    let command: ffmpeg.FfmpegCommand;
    let span = { from: 0, to: 100 };
    if (inputs.length === 1) {
      command = ffmpeg()
        .setFfmpegPath(bins.ffmpeg)
        .input(inputs[0] as string);
    } else {
      // Each MediaRecorder run starts its timestamps at 0 and has no duration: remux each first so
      // the concat demuxer knows where one ends and the next begins.
      const step = 30 / inputs.length;
      for (const [index, input] of inputs.entries()) {
        const temp = path.join(dir, `.${path.basename(output)}.part${index}.mkv`);
        temps.push(temp);
        const from = index * step;
        await runFfmpeg(
          ffmpeg()
            .setFfmpegPath(bins.ffmpeg)
            .input(input)
            .outputOptions(['-c copy', '-f matroska'])
            .output(temp),
          { ...options, expectedS: undefined },
          { from, to: from + step },
        );
        options.onProgress?.(Math.floor(from + step));
      }
      const list = path.join(dir, `.${path.basename(output)}.list.txt`);
      temps.push(list);
      fs.writeFileSync(
        list,
        temps
          .filter((t) => t.endsWith('.mkv'))
          .map((t) => `file '${t.replace(/'/g, "'\\''")}'`)
          .join('\n') + '\n',
      );
      command = ffmpeg().setFfmpegPath(bins.ffmpeg).input(list).inputOptions(['-f concat', '-safe 0']);
      span = { from: 30, to: 100 };
    }
    // Decoder threads too: "one core" means the whole ffmpeg process.
    if (options.threads) command.inputOptions([`-threads ${options.threads}`]);
    await runFfmpeg(
      command
        .outputOptions(['-y', ...outputOptions(format, options.threads, inputBytes(inputs))])
        .output(partial),
      options,
      span,
    );
    if (options.signal?.aborted) throw new Error('merge aborted');
    fs.renameSync(partial, output);
    options.onProgress?.(100);
  } catch (error) {
    cleanup();
    const code = (error as NodeJS.ErrnoException).code;
    const stderr = (error as { stderrTail?: string }).stderrTail ?? '';
    if (code && code !== 'ENOENT') throw fsError(error, 'the merged recording', output);
    if (/No space left on device/i.test(stderr)) {
      throw mediaError(
        'disk_full',
        `The disk is full: the recording could not be merged into ${output}. Its segments are kept; free some space and merge again.`,
        { output },
      );
    }
    if (/Permission denied|Read-only file system/i.test(stderr)) {
      throw mediaError(
        'folder_unwritable',
        `Vigil cannot write the merged recording to ${output}: choose a writable folder.`,
        { output },
      );
    }
    if (/ENOENT|spawn/i.test(String((error as Error).message)) && !fs.existsSync(bins.ffmpeg)) {
      throw mediaError(
        'ffmpeg_missing',
        `ffmpeg was not found at ${bins.ffmpeg}: set media.ffmpegPath or reinstall Vigil.`,
        { path: bins.ffmpeg },
      );
    }
    throw mediaError(
      'merge_failed',
      `ffmpeg could not merge the recording (${(error as Error).message.split('\n')[0]}). The segments are kept.`,
      { output, inputs, ffmpeg: stderr },
      error,
    );
  } finally {
    for (const file of temps) fs.rmSync(file, { force: true });
  }
}
