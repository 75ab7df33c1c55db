// The system check step: camera, microphone, disk space for the whole recording, the server, the
// CPU, the face models and the integrity gate (every lockdown check as the exam's policy decides).
// The result goes into the chain with the camera labels the gate judged; passing it opens the ID
// check, and a `refuse` finding keeps it closed.
import type { CallResponse } from '../../src-preload/contract';
import { rememberMediaDevices } from '../lockdown/port';
import type { MediaDeviceLabel } from '../lockdown/virtual-camera';
import { appendEvent } from '../store/event-chain';
import type { CachedExam } from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';
import { updateProgress, type Progress } from './candidate-progress';
import { cameraList, gateItems, runIntegrityGate, type IntegrityGateDeps } from './integrity-gate';
import { systemCheck } from './system-check';

export interface SystemCheckInput {
  sessionId: string;
  camera: { ok: boolean; label: string };
  microphone: { ok: boolean; label: string; peakDb: number };
  displays: number;
  cpuProbeMs: number;
  /** The renderer's device list (labels), for the virtual-camera check. */
  mediaDevices?: MediaDeviceLabel[] | undefined;
}

export interface SystemCheckDeps extends IntegrityGateDeps {
  store: LocalStore;
  freeBytes: () => Promise<number>;
  analysisReady: () => { ok: boolean; detail: string };
  configuredFps: number;
  bitsPerSecond: number;
}

/** Spare room beyond the exam's time (overruns, breaks) and beyond the recording (snapshots, database). */
const SPARE_S = 600;
const SPARE_BYTES = 200 * 2 ** 20;

export async function runSystemCheck(
  deps: SystemCheckDeps,
  at: { progress: Progress; exam: CachedExam; centralReachable: boolean },
  input: SystemCheckInput,
): Promise<CallResponse<'candidateSystemCheck'>> {
  const totalS = at.exam.keyQuestions.reduce((sum, q) => sum + q.time_limit_s, 0) + SPARE_S;
  const mediaDevices = cameraList(input);
  // The desktop shell's exam monitor judges the same cameras when the exam starts.
  rememberMediaDevices(mediaDevices);
  const gate = await runIntegrityGate(deps, at.exam, { mediaDevices, rendererDisplays: input.displays });
  const result = systemCheck({
    camera: input.camera,
    microphone: input.microphone,
    integrity: gateItems(gate.outcome),
    freeBytes: await deps.freeBytes(),
    neededBytes: Math.ceil((totalS * deps.bitsPerSecond) / 8) + SPARE_BYTES,
    centralReachable: at.centralReachable,
    offlineReady: true,
    cpuProbeMs: input.cpuProbeMs,
    analysisReady: deps.analysisReady(),
    configuredFps: deps.configuredFps,
  });
  deps.store.write('system check', (tx) => {
    appendEvent(tx, {
      sessionId: input.sessionId,
      kind: 'system_check',
      data: {
        passed: result.passed,
        items: result.items.map((i) => ({ id: i.id, status: i.status, detail: i.detail })),
        mediaDevices,
        integrity: gate.outcome.entries,
        frameRate: result.frameRate,
      },
      at: new Date().toISOString(),
    });
    if (result.passed && at.progress.stage === 'system_check') {
      updateProgress(tx, input.sessionId, { stage: 'id_verification', analysisFps: result.analysisFps });
    }
  });
  return { items: result.items, passed: result.passed, analysisFps: result.analysisFps };
}
