// The session risk score and its contributions; the audio rules (speech in a silent section, mic lost).
import { describe, expect, it } from 'vitest';
import { AudioRules } from '../../../src-main/proctoring/audio-rules';
import { defaultPolicy, resolvePolicy } from '../../../src-main/proctoring/policy';
import { riskScore, type RiskWarning } from '../../../src-main/proctoring/risk-score';
import type { AudioFrame, WarningEvent } from '../../../src-main/proctoring/types';
import { riskExplanationProblem, RiskExplanationSchema } from '../../../src-preload/risk-explanation';
import { WarningEmitter } from '../../../src-main/proctoring/warning-emitter';

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const warning = (type: string, startMs: number, endMs: number, confidence = 1): RiskWarning => ({
  id: `${type}-${startMs}`,
  type,
  startedAt: new Date(T0 + startMs).toISOString(),
  endedAt: new Date(T0 + endMs).toISOString(),
  confidence,
});

describe('riskScore', () => {
  it('is 0 with no warnings', () => {
    expect(riskScore([], defaultPolicy)).toMatchObject({ score: 0, factors: [], chainFactor: 1 });
  });

  it('explains itself: one factor per weighed warning, largest first, its points summing to the score', () => {
    const ws = [warning('looking_away', 0, 3000, 0.7), warning('multiple_faces', 10_000, 40_000, 0.95)];
    const r = riskScore(ws, defaultPolicy);
    expect(r.factors.map((c) => c.type)).toEqual(['multiple_faces', 'looking_away']);
    const top = r.factors[0]!;
    expect(top).toMatchObject({
      warningId: 'multiple_faces-10000',
      startedAt: '2026-03-01T09:00:10.000Z',
      weight: 25,
      durationS: 30,
      confidence: 0.95,
      durationFactor: 1,
    });
    const raw = r.factors.reduce((s, c) => s + c.weight * c.confidence * c.durationFactor, 0);
    expect(r.score).toBe(Math.round(100 * (1 - Math.exp(-raw / 100))));
    // Each factor's points are its share of the score.
    expect(top.points).toBeCloseTo((r.score * 25 * 0.95) / raw, 0);
    expect(r.factors.reduce((s, c) => s + c.points, 0)).toBeCloseTo(r.score, 6);
    expect(r.formula).toMatch(/durationFactor/);
  });

  it('never gives a score without factors, and its points always add up to the score', () => {
    // Many mixes of types, lengths and confidences, with the chain verdicts.
    const types = ['no_face', 'looking_away', 'speech_detected', 'focus_lost', 'camera_blocked', 'unweighed'];
    for (let seed = 1; seed <= 300; seed++) {
      const n = seed % 9;
      const ws = Array.from({ length: n }, (_, i) => {
        const start = ((seed * 7919 + i * 104_729) % 600) * 1000;
        const length = ((seed * 31 + i * 17) % 120) * 500;
        return warning(
          types[(seed + i) % types.length]!,
          start,
          start + length,
          ((seed + i) % 10) / 10 + 0.05,
        );
      });
      const verdict = (['intact', 'broken', 'unknown'] as const)[seed % 3];
      const r = riskScore(ws, defaultPolicy, { chainVerdict: verdict });
      expect(riskExplanationProblem(r), `seed ${seed}`).toBeNull();
      expect(r.score > 0, `seed ${seed}`).toBe(r.factors.some((f) => f.points > 0));
      expect(Math.abs(r.factors.reduce((s, f) => s + f.points, 0) - r.score)).toBeLessThan(0.05);
      // Points are tenths.
      for (const f of r.factors) expect(Math.round(f.points * 10)).toBeCloseTo(f.points * 10, 6);
      expect(RiskExplanationSchema.safeParse(r).success).toBe(true);
    }
    // A warning the policy does not weigh is no factor.
    expect(riskScore([warning('unweighed', 0, 60_000)], defaultPolicy)).toMatchObject({
      score: 0,
      factors: [],
    });
  });

  it('refuses an explanation whose factors do not explain the score', () => {
    const good = riskScore([warning('no_face', 0, 20_000)], defaultPolicy);
    expect(good.score).toBeGreaterThan(0);
    expect(riskExplanationProblem({ ...good, factors: [] })).toMatch(/with no factor/);
    expect(RiskExplanationSchema.safeParse({ ...good, factors: [] }).success).toBe(false);
    const off = { ...good, factors: [{ ...good.factors[0]!, points: good.score - 1 }] };
    expect(riskExplanationProblem(off)).toMatch(/add up to/);
    expect(RiskExplanationSchema.safeParse(off).success).toBe(false);
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

  it('raises speech_detected for talk with pauses between words, as a voice-activity meter reads it', async () => {
    // Measured from espeak-ng speech in Chromium: voiced 100 ms frames with one to three quiet
    // frames between them; none of those stretches alone lasts the 1.5 s minimum.
    const { rules, emitter, events } = audioRun();
    const pattern = [talk, talk, quiet, talk, talk, talk, quiet, quiet, talk, quiet, quiet, quiet, talk];
    const speech = Array.from({ length: 40 }, (_, i) => ({
      timestampMs: 1000 + i * 100,
      ...pattern[i % 13]!,
    }));
    for (const f of [...frames(0, 1000, quiet), ...speech, ...frames(5000, 7000, quiet)]) rules.observe(f);
    await emitter.drain();
    expect(events.map((e) => `${e.kind}:${e.warning.type}`)).toEqual([
      'raised:speech_detected',
      'ended:speech_detected',
    ]);
    expect(events[1]!.warning).toMatchObject({ startMs: 1000 });
    // Two coughs with a pause between them stay below the minimum.
    const coughs = audioRun();
    for (const f of [
      ...frames(0, 300, talk),
      ...frames(300, 700, quiet),
      ...frames(700, 900, talk),
      ...frames(900, 4000, quiet),
    ])
      coughs.rules.observe(f);
    await coughs.emitter.drain();
    expect(coughs.events).toEqual([]);
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
