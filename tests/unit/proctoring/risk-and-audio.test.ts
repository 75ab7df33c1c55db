// The session risk score and its contributions; the audio rules (speech in a silent section, mic lost).
import { describe, expect, it } from 'vitest';
import { AudioRules } from '../../../src-main/proctoring/audio-rules';
import { defaultPolicy, resolvePolicy } from '../../../src-main/proctoring/policy';
import { riskScore } from '../../../src-main/proctoring/risk-score';
import type { AudioFrame, ProctoringWarning, WarningEvent } from '../../../src-main/proctoring/types';
import { WarningEmitter } from '../../../src-main/proctoring/warning-emitter';

const warning = (
  type: ProctoringWarning['type'],
  startMs: number,
  endMs: number,
  confidence = 1,
): ProctoringWarning => ({
  id: `${type}-${startMs}`,
  type,
  severity: 'medium',
  startMs,
  endMs,
  confidence,
  detector: 'test',
  modelVersions: {},
  thresholds: {},
  details: {},
});

describe('riskScore', () => {
  it('is 0 with no warnings', () => {
    expect(riskScore([], defaultPolicy)).toMatchObject({ score: 0, contributions: [], chainFactor: 1 });
  });

  it('explains itself: one contribution per warning, largest first, summing to the score', () => {
    const ws = [warning('looking_away', 0, 3000, 0.7), warning('multiple_faces', 10_000, 40_000, 0.95)];
    const r = riskScore(ws, defaultPolicy);
    expect(r.contributions.map((c) => c.type)).toEqual(['multiple_faces', 'looking_away']);
    const top = r.contributions[0]!;
    expect(top).toMatchObject({ weight: 25, durationS: 30, confidence: 0.95 });
    expect(top.points).toBeCloseTo(25 * 0.95 * 1, 1);
    expect(top.reason).toMatch(/multiple_faces for 30\.0 s/);
    const raw = r.contributions.reduce((s, c) => s + c.points, 0);
    expect(r.score).toBe(Math.round(100 * (1 - Math.exp(-raw / 100))));
    expect(r.formula).toMatch(/durationFactor/);
  });

  it('grows with duration, confidence and a broken evidence chain, and stays within 0–100', () => {
    const short = riskScore([warning('no_face', 0, 2000)], defaultPolicy).score;
    const long = riskScore([warning('no_face', 0, 120_000)], defaultPolicy).score;
    const unsure = riskScore([warning('no_face', 0, 120_000, 0.5)], defaultPolicy).score;
    expect(long).toBeGreaterThan(short);
    expect(unsure).toBeLessThan(long);
    const broken = riskScore([warning('no_face', 0, 120_000)], defaultPolicy, { chainVerdict: 'broken' });
    expect(broken.score).toBeGreaterThan(long);
    expect(broken.chainFactor).toBe(1.25);
    const many = Array.from({ length: 50 }, (_, i) => warning('face_mismatch', i * 1e5, i * 1e5 + 60_000));
    expect(riskScore(many, defaultPolicy).score).toBeLessThanOrEqual(100);
  });

  it('takes its weights from the exam policy', () => {
    const policy = resolvePolicy({ risk: { weights: { ...defaultPolicy.risk.weights, looking_away: 0 } } });
    expect(riskScore([warning('looking_away', 0, 60_000)], policy).score).toBe(0);
  });
});

function audioRun(policy = resolvePolicy({ speech: { enabled: true } })) {
  const events: WarningEvent[] = [];
  const emitter = new WarningEmitter((e) => events.push(e), policy, {});
  return { rules: new AudioRules(policy, emitter), emitter, events };
}
const frames = (fromMs: number, toMs: number, f: Omit<AudioFrame, 'timestampMs'>): AudioFrame[] => {
  const out: AudioFrame[] = [];
  for (let t = fromMs; t < toMs; t += 100) out.push({ timestampMs: t, ...f });
  return out;
};
const quiet = { levelDb: -62, voiceProbability: 0.05, trackLive: true };
const talk = { levelDb: -24, voiceProbability: 0.92, trackLive: true };

describe('AudioRules', () => {
  it('raises speech_detected in a silent section after the minimum duration, and ends it', async () => {
    const { rules, emitter, events } = audioRun();
    for (const f of [...frames(0, 1000, quiet), ...frames(1000, 4000, talk), ...frames(4000, 6000, quiet)])
      rules.observe(f);
    await emitter.drain();
    expect(events.map((e) => `${e.kind}:${e.warning.type}`)).toEqual([
      'raised:speech_detected',
      'ended:speech_detected',
    ]);
    expect(events[1]!.warning).toMatchObject({ startMs: 1000, endMs: 4000 });
    expect(events[0]!.warning.thresholds).toMatchObject({ minVoiceProbability: 0.6 });
  });

  it('ignores a short cough and speech where silence is not required', async () => {
    const { rules, emitter, events } = audioRun();
    for (const f of [...frames(0, 500, talk), ...frames(500, 3000, quiet)]) rules.observe(f);
    rules.setSilenceRequired(false);
    for (const f of frames(3000, 8000, talk)) rules.observe(f);
    await emitter.drain();
    expect(events).toEqual([]);
  });

  it('raises mic_lost when the track ends or goes digitally silent', async () => {
    const { rules, emitter, events } = audioRun(defaultPolicy);
    const dead = { levelDb: -Infinity, voiceProbability: 0, trackLive: false };
    for (const f of [...frames(0, 1000, quiet), ...frames(1000, 6000, dead), ...frames(6000, 7000, quiet)])
      rules.observe(f);
    await emitter.drain();
    expect(events.map((e) => `${e.kind}:${e.warning.type}`)).toEqual(['raised:mic_lost', 'ended:mic_lost']);
    expect(events[1]!.warning).toMatchObject({ startMs: 1000, endMs: 6000, severity: 'medium' });
  });
});
