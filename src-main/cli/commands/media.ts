// `vigil media merge|probe|recover`: merge a folder of recording segments into one seekable file,
// inspect a media file, and recover recordings a crash left unfinished (what start-up also does).
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/load';
import { resolveMediaBinaries } from '../../media/binaries';
import { isVigilError } from '../../errors';
import { mergeSegments } from '../../media/merge';
import { checkMerged, probeMedia, type ProbeResult } from '../../media/probe';
import { createMediaRuntime } from '../../media/runtime';
import { localDbPath } from '../../store/db-file';
import { lazyLocalStore } from '../../store/lazy-store';

const SEGMENT_FILE = /^segment-\d+\.(webm|mkv|mp4)$/;

function fail(error: unknown): void {
  if (isVigilError(error)) {
    process.stderr.write(`vigil: ${error.message}\n`);
    process.exitCode = error.code === 'NOT_FOUND' ? 2 : 1;
    return;
  }
  throw error;
}

function describeProbe(probe: ProbeResult): string {
  const streams = probe.streams
    .map((s) =>
      s.type === 'video'
        ? `video ${s.codec} ${s.width ?? '?'}x${s.height ?? '?'}`
        : s.type === 'audio'
          ? `audio ${s.codec} ${s.sampleRate ?? '?'} Hz`
          : `${s.type} ${s.codec}`,
    )
    .join(', ');
  return `${probe.file}: ${probe.formatName}, ${probe.durationS.toFixed(3)} s, ${probe.sizeBytes} bytes; ${streams}`;
}

export function registerMediaCommand(program: Command): void {
  const media = program
    .command('media')
    .description('Recording tools: merge segments, probe a file, recover after a crash.');

  media
    .command('merge')
    .description(
      'Merge the segment files of a recording folder into one seekable file (stream copy; --mp4 for H.264/AAC).',
    )
    .argument('<dir>', 'folder holding segment-NNNNN.webm files')
    .requiredOption('--out <file>', 'merged file to write')
    .option('--mp4', 'encode H.264/AAC MP4 instead of a stream-copy WebM')
    .option('--expect-seconds <s>', 'fail unless the result lasts this long (± 1 %)', Number.parseFloat)
    .action(async (dir: string, opts: { out: string; mp4?: boolean; expectSeconds?: number }) => {
      try {
        const loaded = loadConfig();
        const bins = resolveMediaBinaries(loaded.config.media);
        const inputs = fs.existsSync(dir)
          ? fs
              .readdirSync(dir)
              .filter((f) => SEGMENT_FILE.test(f))
              .sort()
              .map((f) => path.join(dir, f))
          : [];
        if (inputs.length === 0) {
          process.stderr.write(`vigil: no segment-NNNNN.webm files in ${dir}\n`);
          process.exitCode = 2;
          return;
        }
        await mergeSegments({
          bins,
          inputs,
          output: path.resolve(opts.out),
          format: opts.mp4 ? 'mp4' : 'webm',
        });
        const probe = await probeMedia(bins, path.resolve(opts.out));
        checkMerged(probe, {
          expectedS: opts.expectSeconds ?? probe.durationS,
          tolerance: 0.01,
        });
        process.stdout.write(`merged ${inputs.length} segment(s) into ${describeProbe(probe)}\n`);
      } catch (error) {
        fail(error);
      }
    });

  media
    .command('probe')
    .description('Show the streams and duration of a media file (ffprobe).')
    .argument('<file>')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      try {
        const bins = resolveMediaBinaries(loadConfig().config.media);
        const probe = await probeMedia(bins, path.resolve(file));
        process.stdout.write(opts.json ? JSON.stringify(probe) + '\n' : describeProbe(probe) + '\n');
      } catch (error) {
        fail(error);
      }
    });

  media
    .command('recover')
    .description(
      'Merge every recording a crash left unfinished in the data folder and mark it recovered (exit 1 if any failed).',
    )
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const loaded = loadConfig();
      const store = lazyLocalStore(localDbPath(loaded.dataDir));
      const runtime = createMediaRuntime({
        dataDir: loaded.dataDir,
        store: store.get,
        jobs: store.jobs,
        config: loaded.config.media,
      });
      try {
        const outcomes = await runtime.recover();
        if (opts.json) process.stdout.write(JSON.stringify({ recovered: outcomes }) + '\n');
        else if (outcomes.length === 0) process.stdout.write('No unfinished recordings.\n');
        for (const outcome of opts.json ? [] : outcomes) {
          process.stdout.write(
            outcome.ok
              ? `recovered ${outcome.recordingId} (session ${outcome.sessionId}): ${outcome.merged?.path} ${outcome.merged?.durationS.toFixed(2)} s, ${outcome.droppedChunks ?? 0} torn chunk(s) dropped\n`
              : `FAILED ${outcome.recordingId} (session ${outcome.sessionId}): ${outcome.error?.message}\n`,
          );
        }
        if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
      } catch (error) {
        fail(error);
      } finally {
        await runtime.close();
        await store.close();
      }
    });
}
