// The first report in a process costs several times a later one: fontkit parses the fonts' tables
// and Unicode data on first use, V8 has not optimised pdfkit yet, and sharp starts its threads.
// The app calls this once while it is idle (e.g. after start-up or while a session runs) so the
// report made at the end of a session is produced at warm speed.
import sharp from 'sharp';
import { renderReport } from './render-report';
import type { ReportInputDraft } from './types';

const sample =
  'The candidate explains how the system keeps data consistent, with quorum reads and writes, ' +
  'retries, timeouts and clear trade-offs; 0123456789 % / — “quoted” résumé naïve Ελληνικά Кириллица.';

function sampleInput(): ReportInputDraft {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    reportId: 'warm-up',
    generatedAt: at,
    candidate: { name: 'Warm-up', email: 'warm-up@example.org', id: 'W' },
    exam: { title: 'Warm-up', type: 'GEN', difficulty: 5 },
    session: { id: 'warm-up', startedAt: at, endedAt: at, durationSeconds: 600 },
    scores: { overall: 50, professionalism: 50, subjectKnowledge: 50, clarity: 50 },
    risk: {
      score: 10,
      factors: [
        {
          warningId: 'warm-up',
          type: 'looking_away',
          startedAt: at,
          weight: 10,
          durationS: 30,
          confidence: 1,
          durationFactor: 1,
          points: 10,
        },
      ],
      chainFactor: 1,
      formula: sample,
    },
    decision: { outcome: 'accepted', reviewer: 'Warm-up', decidedAt: at, comment: sample },
    idVerification: {
      status: 'verified',
      cardImagePath: null,
      extractedFields: [{ label: 'Name', value: 'WARM-UP' }],
      faceMatchScore: 0.9,
      reasons: [sample],
    },
    questions: [{ question: sample, answer: `${sample} ${sample}`, score: 5, feedback: sample }],
    traits: [sample],
    suggestions: [sample],
    warnings: Array.from({ length: 40 }, (_, i) => ({
      type: ['no_face', 'looking_away', 'speech_detected'][i % 3]!,
      startedAt: at,
      durationSeconds: 5 + i,
      confidence: 0.8,
      snapshotPath: null,
      comment: sample,
    })),
    evidence: { verdict: 'intact', finalHash: '0'.repeat(64), eventCount: 1234 },
    evaluator: {
      kind: 'local',
      name: 'Warm-up',
      model: 'none',
      promptTokens: 1000,
      completionTokens: 100,
      costUsd: 0,
    },
  };
}

/**
 * Renders a throw-away report a few times (enough table rows and text for V8 to optimise the hot
 * paths) and one thumbnail; returns how long it took (ms).
 */
export async function warmUpReportRenderer(rounds = 3): Promise<number> {
  const t0 = performance.now();
  const picture = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
    .jpeg()
    .toBuffer();
  await sharp(picture).resize(32, 24, { fit: 'inside' }).jpeg({ quality: 75 }).toBuffer();
  for (let i = 0; i < rounds; i++) await renderReport(sampleInput());
  return performance.now() - t0;
}
