// `npm run demo`: a whole proctored session, headless, on the embedded defaults (local SQLite,
// PGlite as the central store, the local evaluator) in a scratch data folder. It drives the contract
// over the host's real WebSocket transport exactly as the renderer does: enrollment, consent, system
// check, ID check, an interview with scripted answers while the sample face video plays as the camera
// and as the recording, then merge, evaluation, PDF report and sync to the central store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { CallRequest, CallResponse, Result } from '../../src-preload/contract';
import type { CandidateApi, WindowCallName } from '../../src-preload/contract-windows';
import { connectWsBridge, type WsBridge } from '../../src-preload/ws-bridge';
import { bootApp, type BootedApp } from '../app/boot';
import { VigilError } from '../errors';
import { defaultRendererDir } from '../host/renderer-dir';
import { startHost, type RunningHost } from '../host/server';
import { resolveMediaBinaries } from '../media/binaries';
import { cameraFrames, encodeRecorderWebm, sampleMedia, sliceTimeslices } from './sample-media';
import { runWorkerRequestsInProcess } from '../worker/in-process';
import { runRetentionPurge } from '../worker/retention-purge';
import { DEMO_ANSWERS, DEMO_EXAM, seedDemoCentral } from './seed-central';
import { collectSummary, describeSummary, type DemoSummary } from './summary';

export type { DemoSummary } from './summary';

/** Frames per second the demo camera sends (the analysis default). */
const CAMERA_FPS = 2;
/** How long the work after the session (merge upload, evaluation, report, sync) may take. */
const SETTLE_TIMEOUT_MS = 180_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The demo always runs on the embedded defaults: no central URL, no AI provider key. */
function embeddedEnv(env: NodeJS.ProcessEnv, dataDir: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^VIGIL_(CENTRAL|AI)_/.test(key) || /^OPENAI_/.test(key)) continue;
    out[key] = value;
  }
  return { ...out, VIGIL_DATA_DIR: dataDir };
}

function must<T>(call: string, result: Result<T>): T {
  if (!result.ok)
    throw new VigilError(result.error.code, `${call}: ${result.error.message}`, result.error.details);
  return result.value;
}

/** The candidate window's contract as its renderer sees it, with typed errors thrown instead of returned. */
function client(api: CandidateApi) {
  return async <K extends WindowCallName<'candidate'>>(
    name: K,
    request: CallRequest<K>,
  ): Promise<CallResponse<K>> => {
    const invoke = api[name] as unknown as (r: CallRequest<K>) => Promise<Result<CallResponse<K>>>;
    return must(name, await invoke(request));
  };
}

export async function runDemo(log: (line: string) => void): Promise<DemoSummary> {
  const t0 = performance.now();
  const step = (line: string) =>
    log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const dataDir = process.env.VIGIL_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-demo-'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-demo-media-'));
  // The runtime's AI settings fall back to OPENAI_API_KEY from the process environment.
  const savedKeys = Object.entries(process.env).filter(([key]) => /^OPENAI_/.test(key));
  for (const [key] of savedKeys) delete process.env[key];

  let booted: BootedApp | undefined;
  let host: RunningHost | undefined;
  let bridge: WsBridge<'candidate'> | undefined;
  try {
    booted = await bootApp('host', { env: embeddedEnv(process.env, dataDir) });
    const { app } = booted;
    host = await startHost({ app, rendererDir: defaultRendererDir(), logger: app.context.logger });
    const origin = host.origin;
    bridge = connectWsBridge({
      url: host.wsUrl,
      token: host.token,
      window: 'candidate',
      createSocket: (url) => new WebSocket(url, { origin }) as unknown as globalThis.WebSocket,
    });
    const { config } = app.context.loaded;
    if (config.central.url) {
      throw new VigilError(
        'CONFIG_INVALID',
        'The demo runs on the embedded central store: remove central.url from the IT policy to run it.',
      );
    }
    const media = sampleMedia();
    const tools = resolveMediaBinaries(config.media);
    step(`Data folder ${dataDir}; host at ${host.origin}.`);
    await bridge.ready;
    const call = client(bridge.api);
    // Decode the camera frames and encode the recorder's WebM while the central store opens.
    const prepared = Promise.all([
      cameraFrames(media.video, CAMERA_FPS, tools.ffmpeg, tools.ffprobe),
      encodeRecorderWebm(media.video, path.join(scratch, 'camera.webm'), tools),
    ]);
    prepared.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    bridge.api.on('candidateNotice', (notice) =>
      step(`  notice ${notice.active ? 'shown  ' : 'cleared'}: "${notice.message}"`),
    );

    // An administrator prepares the exam and a one-time code on the central store.
    const central = await app.context.candidate.central();
    const { examId, code } = await seedDemoCentral(central);
    step(
      `Central store (${central.kind}) seeded: GEN exam with ${DEMO_EXAM.keyQuestions.length} questions, code ${code}.`,
    );

    const enrolled = await call('candidateEnroll', { code });
    step(`Enrolled this device: ${enrolled.exams.map((e) => e.title).join(', ')} (cached for offline use).`);
    const { sessionId } = await call('candidateConsent', { examId, accepted: true });
    step(`Consent recorded; session ${sessionId}.`);

    const [frames, recording] = await prepared;
    const first = frames[0];
    if (!first) throw new VigilError('MEDIA_INVALID', 'The sample video has no frames.');
    const preview = await call('candidateFrame', {
      sessionId,
      jpeg: first.jpeg,
      width: first.width,
      height: first.height,
    });
    step(`Camera preview: ${preview.faces ?? 0} face(s) seen.`);

    const probeStart = performance.now();
    let x = 0;
    for (let i = 0; i < 3_000_000; i++) x += Math.sqrt(i) % 7;
    const cpuProbeMs = performance.now() - probeStart + (x < 0 ? 1 : 0);
    const check = await call('candidateSystemCheck', {
      sessionId,
      camera: { ok: true, label: 'Demo camera (sample video)' },
      microphone: { ok: true, label: 'Demo microphone', peakDb: -18 },
      displays: 1,
      cpuProbeMs,
    });
    step(
      `System check ${check.passed ? 'passed' : 'FAILED'}: ${check.items.map((i) => `${i.id} ${i.status}`).join(', ')}; analysis at ${check.analysisFps} fps.`,
    );
    if (!check.passed) throw new VigilError('NOT_READY', 'The system check failed; see the items above.');

    const id = await call('candidateVerifyId', {
      sessionId,
      card: new Uint8Array(fs.readFileSync(media.idCard)),
      live: first.jpeg,
    });
    step(
      `ID check: ${id.decision} (document ${id.fields.documentNumber ?? '?'}, face match ${id.faceMatch?.toFixed(2) ?? 'n/a'})${id.reasons.length ? `: ${id.reasons.join('; ').replace(/\.$/, '')}` : ''}.`,
    );

    let state = await call('candidateBeginInterview', { sessionId });
    const started = await call('mediaStart', {
      mimeType: recording.mimeType,
      expectedDurationS: DEMO_EXAM.keyQuestions.reduce((s, q) => s + q.time_limit_s, 0),
    });
    const chunks = sliceTimeslices(recording.file, recording.durationMs, started.timesliceMs);
    step(`Interview started; recording ${started.recordingId} in ${started.timesliceMs} ms timeslices.`);

    // Play the video in real time: the analysis clock is main's, as with a live camera.
    const playStart = performance.now();
    const answers = DEMO_ANSWERS.length;
    let answered = 0;
    let nextChunk = 0;
    // The recorder's timeslices, handed over as the renderer would: each once its time has come.
    const sendChunksUntil = async (atMs: number) => {
      for (; nextChunk < chunks.length && chunks[nextChunk]!.elapsedMs <= atMs; nextChunk++) {
        const chunk = chunks[nextChunk]!;
        await call('mediaAppendChunk', {
          recordingId: started.recordingId,
          segment: started.segment,
          seq: nextChunk,
          elapsedMs: chunk.elapsedMs,
          bytes: chunk.bytes,
        });
      }
    };
    let nextAudioMs = 0;
    const answerQuestion = async () => {
      const question = state.question;
      if (!question) return;
      const text = DEMO_ANSWERS[question.index] ?? 'No further answer.';
      await call('candidateSaveDraft', { sessionId, questionId: question.id, text: text.slice(0, 60) });
      state = await call('candidateSubmitAnswer', { sessionId, questionId: question.id, text });
      answered++;
      step(`Answered question ${question.index + 1} of ${question.total}: "${question.text}"`);
    };
    let lastFaces: number | null = preview.faces;
    for (const frame of frames) {
      await sleep(playStart + frame.atMs - performance.now());
      const seen = await call('candidateFrame', {
        sessionId,
        jpeg: frame.jpeg,
        width: frame.width,
        height: frame.height,
      });
      if (seen.faces !== lastFaces && seen.faces !== null) {
        step(`  camera at ${(frame.atMs / 1000).toFixed(1)} s: ${seen.faces} face(s)`);
        lastFaces = seen.faces;
      }
      await sendChunksUntil(frame.atMs);
      if (frame.atMs >= nextAudioMs) {
        // A candidate speaking: what the renderer's level meter reports every 100 ms.
        const audio = Array.from({ length: 10 }, (_, i) => ({
          timestampMs: i * 100,
          levelDb: -30 + (i % 3),
          voiceProbability: 0.7,
          trackLive: true,
        }));
        await call('candidateAudio', { sessionId, frames: audio });
        nextAudioMs += 1000;
      }
      // Questions are answered evenly across the video; the last one after it ends.
      if (answered < answers - 1 && frame.atMs >= ((answered + 1) * recording.durationMs) / answers) {
        await answerQuestion();
      }
    }
    await sendChunksUntil(Infinity);
    while (!state.done && state.question) await answerQuestion();
    const merged = await call('mediaStop', {
      recordingId: started.recordingId,
      recordedMs: recording.durationMs,
    });
    step(`Recording merged: ${merged.path} (${merged.durationS.toFixed(1)} s, ${merged.sizeBytes} bytes).`);

    let progress = await call('candidateFinish', { sessionId });
    step('Session finished; evaluation, report and uploads continue in the background.');
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    let last = '';
    for (;;) {
      const line = progress.items
        .map((i) => `${i.id} ${i.state}${i.state === 'failed' ? ` (${i.detail})` : ''}`)
        .join(', ');
      const status = `${line}; ${progress.upload.pendingItems} pending, ${progress.upload.receipts} receipts`;
      if (status !== last) step(`  ${status}`);
      last = status;
      const settled =
        progress.items.every((i) => i.state === 'done' || i.state === 'failed') &&
        progress.upload.pendingItems === 0 &&
        progress.upload.receipts > 0;
      if (settled || performance.now() > deadline) break;
      await sleep(500);
      progress = await call('candidateFinishProgress', { sessionId });
    }

    // The central worker's jobs (server evaluation, risk, transcripts and the report of record), run in this
    // process on the embedded store (src-main/worker/in-process.ts); a real deployment runs
    // `vigil worker --central URL`.
    const worked = await runWorkerRequestsInProcess(central.db, 'demo (in-process worker)');
    step(
      `Central worker: ${worked.evaluated} evaluation(s), ${worked.risks} risk score(s), ${worked.transcribed} transcript(s), ${worked.reports} report version(s) filed by the server.`,
    );
    // The worker's scheduled retention job, once (the demo has no scheduler).
    const retention = await runRetentionPurge(central.db, 'demo (in-process worker)');
    step(
      `Central worker: retention purged ${retention.purgedSessions} session(s), expired ${retention.expiredDevices} device credential(s).`,
    );

    const { summary, central: centralCounts } = await collectSummary({
      sessionId,
      store: await app.context.candidate.store(),
      central,
      recording: { path: merged.path, durationS: merged.durationS },
      progress,
      reportsDir: path.join(dataDir, 'central-reports'),
    });
    step('Done.');
    for (const line of describeSummary(summary, centralCounts, progress)) log(line);
    log(`Everything stays in ${dataDir} (open the central PDF report from there).`);
    return summary;
  } finally {
    bridge?.close();
    await host?.close();
    await booted?.close();
    for (const [key, value] of savedKeys) process.env[key] = value;
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
