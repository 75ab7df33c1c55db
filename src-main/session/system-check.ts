// The system check before an exam: each item pass / warn / fail with what to do. Pure, so every
// rule is unit-tested; the service gathers the facts. The integrity gate's lines (virtual machine,
// remote session, forbidden programs, displays, virtual camera) come decided (integrity-gate.ts).
import type { CheckItem } from '../../src-preload/contract';

export interface SystemFacts {
  camera: { ok: boolean; label: string };
  microphone: { ok: boolean; label: string; peakDb: number };
  /** The integrity gate's lines, already decided by the exam's policy. */
  integrity: CheckItem[];
  /** Free bytes on the recordings disk, and what the exam is expected to need. */
  freeBytes: number;
  neededBytes: number;
  centralReachable: boolean;
  offlineReady: boolean;
  cpuProbeMs: number;
  analysisReady: { ok: boolean; detail: string };
  configuredFps: number;
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

/**
 * The exam's analysis rate: the `proctoring.frameRate` setting, lowered on a slow machine by the
 * CPU probe (never below one frame every two seconds on its account). The setting is the ceiling
 * because it is the institution's choice (an IT policy may lock it) and the probe only knows what
 * this machine can keep up with; a probe that could raise it would analyse more than was asked.
 */
export interface FrameRateDecision {
  fps: number;
  configuredFps: number;
  cpuProbeMs: number;
  /** `configured`: the setting as it is; `cpu_probe`: lowered for this machine. */
  reason: 'configured' | 'cpu_probe';
}

export function frameRateFor(cpuProbeMs: number, configuredFps: number): FrameRateDecision {
  const factor = cpuProbeMs <= 60 ? 1 : cpuProbeMs <= 150 ? 0.5 : 0.25;
  const lowered = Math.max(0.5, Math.round(configuredFps * factor * 4) / 4);
  const fps = Math.min(configuredFps, lowered);
  return {
    fps,
    configuredFps,
    cpuProbeMs: Math.round(cpuProbeMs * 10) / 10,
    reason: fps < configuredFps ? 'cpu_probe' : 'configured',
  };
}

export function systemCheck(facts: SystemFacts): {
  items: CheckItem[];
  passed: boolean;
  analysisFps: number;
  frameRate: FrameRateDecision;
} {
  const frameRate = frameRateFor(facts.cpuProbeMs, facts.configuredFps);
  const analysisFps = frameRate.fps;
  const items: CheckItem[] = [
    facts.camera.ok
      ? { id: 'camera', label: 'Camera', status: 'pass', detail: facts.camera.label || 'working' }
      : {
          id: 'camera',
          label: 'Camera',
          status: 'fail',
          detail: 'no picture',
          action: 'Connect a camera, close other apps using it, and choose it above.',
        },
    !facts.microphone.ok
      ? {
          id: 'microphone',
          label: 'Microphone',
          status: 'fail',
          detail: 'no sound input',
          action: 'Connect a microphone and choose it above.',
        }
      : facts.microphone.peakDb < -70
        ? {
            id: 'microphone',
            label: 'Microphone',
            status: 'warn',
            detail: `${facts.microphone.label || 'connected'}, but we heard nothing yet`,
            action: 'Say a few words and check the level meter moves.',
          }
        : {
            id: 'microphone',
            label: 'Microphone',
            status: 'pass',
            detail: facts.microphone.label || 'working',
          },
    ...facts.integrity,
    facts.freeBytes >= facts.neededBytes
      ? { id: 'disk', label: 'Free disk space', status: 'pass', detail: `${mb(facts.freeBytes)} free` }
      : {
          id: 'disk',
          label: 'Free disk space',
          status: 'fail',
          detail: `${mb(facts.freeBytes)} free, ${mb(facts.neededBytes)} needed for the recording`,
          action: 'Free some disk space, then check again.',
        },
    facts.centralReachable
      ? { id: 'server', label: 'Connection', status: 'pass', detail: 'the exam server is reachable' }
      : facts.offlineReady
        ? {
            id: 'server',
            label: 'Connection',
            status: 'warn',
            detail: 'offline: the exam runs from this device and is sent when you are back online',
          }
        : {
            id: 'server',
            label: 'Connection',
            status: 'fail',
            detail: 'the exam server cannot be reached and the exam is not saved on this device',
            action: 'Connect to the internet, then check again.',
          },
    facts.analysisReady.ok
      ? {
          id: 'analysis',
          label: 'Camera analysis',
          status: 'pass',
          detail: `${facts.analysisReady.detail}; ${analysisFps} frames per second on this computer`,
        }
      : {
          id: 'analysis',
          label: 'Camera analysis',
          status: 'fail',
          detail: facts.analysisReady.detail,
          action: 'Reinstall Vigil or ask your IT support.',
        },
  ];
  return { items, passed: items.every((i) => i.status !== 'fail'), analysisFps, frameRate };
}
