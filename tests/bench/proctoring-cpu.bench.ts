// CPU share of one core while proctoring at the default rate (2 fps) for 60 s: JPEG frames as the
// renderer sends them, decoded in main, analysed in the worker with the default policy and model
// schedule, with a verified reference face set (so face_mismatch and the description model are
// armed, as after ID verification), fed through the rules; snapshots are JPEG-encoded only when a
// warning is raised. process.cpuUsage is the whole process: main, the worker and libvips threads.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { decodeImage } from '../../src-main/proctoring/decode-image';
import { WorkerFaceAnalyzer } from '../../src-main/proctoring/face-analyzer';
import { defaultPolicy } from '../../src-main/proctoring/policy';
import { ProctoringSession } from '../../src-main/proctoring/session';
import { noisyVariants, scenes } from '../support/proctoring/scenes';
import { writeBenchResult } from './support/result';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const TICK_MS = 10; // Linux USER_HZ is 100: /proc CPU times count 10 ms ticks.

/** CPU ms per thread of this process (Linux /proc), to split main from the analysis worker. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    }
  } catch {
    // Not Linux: the split is left out, the process total still counts.
  }
  return out;
}
const analyzer = await WorkerFaceAnalyzer.start();
// A typical session: mostly the candidate facing the camera, now and then something else; each
// scene is held for 10 s with fresh sensor noise on every frame, like a real webcam.
const plan = [
  scenes.frontal,
  scenes.turnedAway,
  scenes.frontal,
  scenes.noFace,
  scenes.frontal,
  scenes.twoFaces,
];
const variants = await Promise.all(
  plan.map(async (make) =>
    Promise.all(
      (await noisyVariants(await make(), 4)).map((png) => sharp(png).jpeg({ quality: 80 }).toBuffer()),
    ),
  ),
);
const FRAMES_PER_SCENE = 20;
const jpegAt = (i: number): Buffer => variants[Math.floor(i / FRAMES_PER_SCENE) % plan.length]![i % 4]!;
const referenceFrame = await decodeImage(variants[0]![0]!, { timestampMs: 0 });
const reference = (await analyzer.analyze(referenceFrame, { gaze: false, embedding: true })).faces[0]
  ?.embedding;
if (!reference) throw new Error('no reference embedding from the frontal frame');
let warnings = 0;
const session = new ProctoringSession({
  policy: defaultPolicy,
  analyzer,
  referenceEmbedding: reference,
  sink: (event) => {
    if (event.kind === 'raised') warnings++;
  },
});
// Warm the worker outside the measured window: every scene once, so V8 has compiled (and tiered up)
// the wasm kernels and JS paths a long session runs in steady state.
const WARM_FRAMES = Number(process.env.BENCH_WARM_FRAMES ?? 24);
for (let i = 0; i < WARM_FRAMES; i++) {
  session.submitFrame(await decodeImage(jpegAt(i * 7), { timestampMs: i * 100 }));
  await session.flush();
}

const warm = session.status();
const interval = 1000 / defaultPolicy.frames.fps;
const threads0 = threadCpu();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let sent = 0;
while (performance.now() - t0 < SECONDS * 1000) {
  const due = t0 + sent * interval;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  const frame = await decodeImage(jpegAt(sent), {
    maxSide: 640,
    timestampMs: 10_000 + sent * interval,
  });
  session.submitFrame(frame);
  sent++;
}
await session.flush();
const wallMs = performance.now() - t0;
const c = process.cpuUsage(cpu0);
const threads1 = threadCpu();
const perThread = [...threads1].map(([tid, ms]) => ({ tid, ms: ms - (threads0.get(tid) ?? 0) }));
const mainThreadMs = perThread.find((t) => t.tid === String(process.pid))?.ms ?? null;
// The analysis worker is the busiest thread other than main (all threads are named "node").
const others = perThread.filter((t) => t.tid !== String(process.pid)).sort((a, b) => b.ms - a.ms);
const workerThreadMs = others[0]?.ms ?? null;
const restMs = others.slice(1).reduce((sum, t) => sum + t.ms, 0);
const status = session.status();
await session.end();
await analyzer.close();
const cpuMs = (c.user + c.system) / 1000;
const share = Math.round((cpuMs / wallMs) * 1000) / 10;
// When the machine is too busy for the worker to keep up, frames are dropped and the measured share
// understates the cost; the share had every frame been analysed is the figure the goal is held to.
const analysed = status.analysed - warm.analysed;
const perFrame = cpuMs / Math.max(1, analysed);
const shareAllFrames = Math.round(((perFrame * defaultPolicy.frames.fps) / 1000) * 1000) / 10;
const load = (await import('node:os')).loadavg()[0]!;

writeBenchResult({
  name: 'proctoring-cpu',
  figures: {
    seconds: SECONDS,
    fps: defaultPolicy.frames.fps,
    framesSent: sent,
    framesAnalysed: analysed,
    framesDropped: status.dropped,
    warningsRaised: warnings,
    descriptionRuns: JSON.stringify(session.modelRuns),
    finalRecommendedFps: status.recommendedFps,
    cpuMs: Math.round(cpuMs),
    cpuSharePercentOfOneCore: share,
    cpuMsPerFrame: Math.round(perFrame * 10) / 10,
    mainThreadCpuMs: mainThreadMs,
    workerThreadCpuMs: workerThreadMs,
    otherThreadsCpuMs: restMs,
    cpuSharePercentIfEveryFrameAnalysed: shareAllFrames,
    loadAverage1m: Math.round(load * 100) / 100,
    goalRatio: Math.round((shareAllFrames / 10) * 100) / 100,
  },
  goals: {
    cpuShare: {
      target: '≤ 10 % of one core at the default 2 fps for 60 s (every frame analysed)',
      met: shareAllFrames <= 10 && status.dropped === 0,
    },
  },
  notes:
    'Includes JPEG decode (sharp) in main, the worker (FaceMesh on every frame with a face, iris every 1 s; BlazeFace at least every 1.5 s of frame time, at once on a large change or with no tracked face; face description with the reference set: every 10 s, when the faces in view change, quick re-checks when its verdict flips and every 2 s while another person is in view), the rules, and JPEG snapshots of raised warnings. ' +
    'Scenes (frontal, another person in profile, frontal, no face, frontal, two faces) change every 10 s; every frame carries fresh noise. ' +
    'mainThreadCpuMs / workerThreadCpuMs / otherThreadsCpuMs split the process CPU by thread from /proc (worker = busiest non-main thread; others = libvips, libuv and V8 helpers). ' +
    'goalRatio = share with every frame analysed / 10 %. On a shared machine (see loadAverage1m) CPU time per frame is inflated by contention.',
});
