// Test media made at test time with the bundled ffmpeg: "live" WebM (VP8 + Opus, no duration, no
// cues), exactly the shape MediaRecorder produces, sliced into chunks like its timeslices.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveMediaBinaries, type MediaBinaries } from '../../../src-main/media/binaries';
import { MediaLedger } from '../../../src-main/media/ledger';
import { JobRunner, type JobRunnerOptions } from '../../../src-main/store/job-runner';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { MediaService, type MediaServiceOptions } from '../../../src-main/media/media-service';

export function bins(): MediaBinaries {
  return resolveMediaBinaries({});
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `vigil-${prefix}-`));
}

export interface LiveWebmOptions {
  seconds: number;
  size?: string;
  fps?: number;
  videoKbps?: number;
  /** Adds moving noise so the encoder really spends the bitrate (testsrc alone compresses to little). */
  noise?: boolean;
}

/** Writes a MediaRecorder-like WebM (not seekable: no duration, no cues) of `seconds`. */
export function makeLiveWebm(file: string, options: LiveWebmOptions): void {
  const { seconds, size = '320x240', fps = 15, videoKbps = 300, noise = false } = options;
  const out = fs.openSync(file, 'w');
  try {
    const run = spawnSync(
      bins().ffmpeg,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-f',
        'lavfi',
        '-i',
        `testsrc=size=${size}:rate=${fps}`,
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=48000',
        ...(noise ? ['-vf', 'noise=alls=60:allf=t+u'] : []),
        '-t',
        String(seconds),
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        `${videoKbps}k`,
        '-g',
        String(fps * 2),
        '-c:a',
        'libopus',
        '-b:a',
        '48k',
        '-f',
        'webm',
        '-live',
        '1',
        'pipe:1',
      ],
      { stdio: ['ignore', out, 'pipe'] },
    );
    if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.toString()}`);
  } finally {
    fs.closeSync(out);
  }
}

export interface Chunk {
  bytes: Uint8Array;
  elapsedMs: number;
}

/** Cuts a file into `count` byte ranges, each labelled with the share of `durationMs` it ends at. */
export function sliceChunks(file: string, count: number, durationMs: number): Chunk[] {
  const data = fs.readFileSync(file);
  const chunks: Chunk[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor((data.length * i) / count);
    const end = Math.floor((data.length * (i + 1)) / count);
    chunks.push({
      bytes: new Uint8Array(data.subarray(start, end)),
      elapsedMs: (durationMs * (i + 1)) / count,
    });
  }
  return chunks;
}

export interface ServiceFixture {
  dir: string;
  recordingsDir: string;
  service: MediaService;
  ledger: MediaLedger;
  jobs: JobRunner;
  store: LocalStore;
  close(): Promise<void>;
}

export async function openService(
  dir: string,
  overrides: Partial<Omit<MediaServiceOptions, 'jobs'>> = {},
  /** The runner's backoff; `start: false` is a process that dies before its runner picks anything up. */
  runner: Pick<JobRunnerOptions, 'baseBackoffMs' | 'maxBackoffMs'> & { start?: boolean } = {},
): Promise<ServiceFixture> {
  const store = await openLocalStore(path.join(dir, 'local.sqlite'));
  const ledger = new MediaLedger(store);
  const recordingsDir = overrides.recordingsDir ?? path.join(dir, 'recordings');
  // The device's job runner on the same store, as the app has it: merges are its jobs.
  const { start = true, ...backoff } = runner;
  const jobs = new JobRunner({ store, ...backoff });
  if (start) jobs.start();
  const service = new MediaService({
    ledger,
    recordingsDir,
    binaries: bins,
    reserveBytes: 0,
    ...overrides,
    jobs,
  });
  return {
    dir,
    recordingsDir,
    service,
    ledger,
    store,
    jobs,
    close: async () => {
      await jobs.stop();
      await service.close();
      await store.close();
    },
  };
}

export function ffprobeJson(file: string): {
  format: { duration: string };
  streams: { codec_type: string }[];
} {
  const run = spawnSync(bins().ffprobe, [
    '-v',
    'error',
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    file,
  ]);
  if (run.status !== 0) throw new Error(`ffprobe failed on ${file}: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as {
    format: { duration: string };
    streams: { codec_type: string }[];
  };
}
