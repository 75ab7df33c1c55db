// Builds ReportInput fixtures with real image files on disk (snapshots, ID card) for the report
// tests and benchmark. Images are drawn with sharp from SVG at run time, so no media is committed.
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { ReportInputDraft } from '../../src-main/reports/types';

export const MULTI_SCRIPT_NAME = 'Zoë Ångström-Łukasiewicz Δημήτρης Παπαδόπουλος Дмитрий Иванов';

export const WARNING_TYPES = [
  'no_face',
  'multiple_faces',
  'looking_away',
  'face_mismatch',
  'camera_blocked',
  'speech_detected',
  'focus_lost',
  'display_added',
  'blocked_process',
] as const;

export interface FixtureOptions {
  questions?: number;
  warnings?: number;
  /** How many warnings carry a snapshot (the first N). */
  snapshots?: number;
  sessionMinutes?: number;
  answerWords?: number;
  name?: string;
}

const words =
  'the candidate explains how a distributed system keeps data consistent under partitions using quorum reads and writes while idempotent retries and careful timeouts keep latency predictable for users résumé naïve façade'.split(
    ' ',
  );

export function makeText(count: number, seed = 1): string {
  const out: string[] = [];
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(words[s % words.length]!);
    if (i % 17 === 16) out[out.length - 1] += '.';
  }
  return out.join(' ') + '.';
}

async function snapshotJpeg(variant: number): Promise<Buffer> {
  const hue = (variant * 47) % 360;
  const faceX = 220 + (variant % 5) * 40;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
    <rect width="640" height="480" fill="hsl(${hue},25%,35%)"/>
    <rect x="0" y="300" width="640" height="180" fill="hsl(${hue},20%,22%)"/>
    <ellipse cx="${faceX}" cy="200" rx="80" ry="100" fill="#e0b08a"/>
    <rect x="${faceX - 120}" y="300" width="240" height="180" rx="40" fill="#2a4a6a"/>
    <circle cx="${faceX - 30}" cy="185" r="9" fill="#222"/><circle cx="${faceX + 30}" cy="185" r="9" fill="#222"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

async function idCardJpeg(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="856" height="540">
    <rect width="856" height="540" rx="30" fill="#dfe9f3"/>
    <rect width="856" height="90" rx="30" fill="#2b5d8a"/>
    <rect x="40" y="130" width="240" height="300" fill="#c8b8a6"/>
    <ellipse cx="160" cy="240" rx="70" ry="88" fill="#e0b08a"/>
    <rect x="320" y="140" width="420" height="22" fill="#8899aa"/>
    <rect x="320" y="200" width="300" height="22" fill="#8899aa"/>
    <rect x="320" y="260" width="360" height="22" fill="#8899aa"/>
    <rect x="320" y="320" width="200" height="22" fill="#8899aa"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

/** Writes the images into `dir` and returns an input whose paths are relative to `dir`. */
export async function buildReportFixture(
  dir: string,
  options: FixtureOptions = {},
): Promise<ReportInputDraft> {
  const questionCount = options.questions ?? 4;
  const warningCount = options.warnings ?? WARNING_TYPES.length;
  const snapshotCount = Math.min(options.snapshots ?? warningCount, warningCount);
  const sessionSeconds = (options.sessionMinutes ?? 45) * 60;
  await fs.mkdir(path.join(dir, 'snapshots'), { recursive: true });

  const variants = await Promise.all(Array.from({ length: 6 }, (_, i) => snapshotJpeg(i)));
  await Promise.all(
    Array.from({ length: snapshotCount }, (_, i) =>
      fs.writeFile(path.join(dir, 'snapshots', `w${i + 1}.jpg`), variants[i % variants.length]!),
    ),
  );
  await fs.writeFile(path.join(dir, 'id-card.jpg'), await idCardJpeg());

  const start = Date.parse('2026-11-21T09:00:00Z');
  const severities = ['high', 'medium', 'low'] as const;
  const verdicts = ['confirmed', 'dismissed', 'pending'] as const;
  return {
    reportId: 'RPT-7F3A-2C91-v1',
    version: 1,
    generatedAt: new Date(start + sessionSeconds * 1000 + 600_000).toISOString(),
    candidate: { name: options.name ?? MULTI_SCRIPT_NAME, email: 'zoe.angstrom@example.org', id: 'C-1042' },
    exam: { title: 'Backend engineer — distributed systems', type: 'SKL', difficulty: 7 },
    session: {
      id: '5b1f0c2e-8d7a-4c55-9a63-0f4e2d1b7a90',
      startedAt: new Date(start).toISOString(),
      endedAt: new Date(start + sessionSeconds * 1000).toISOString(),
      durationSeconds: sessionSeconds,
    },
    scores: { overall: 74, professionalism: 82, subjectKnowledge: 69, clarity: 71 },
    risk: {
      score: 38,
      factors: (
        [
          ['looking_away', 14, 130, 0.9, 25, 1.4],
          ['speech_detected', 11, 40, 0.8, 20, 1.1],
          ['focus_lost', 8, 12, 1, 10, 0.75],
          ['no_face', 5, 4, 0.7, 20, 0.47],
        ] as const
      ).map(([type, points, durationS, confidence, weight, durationFactor], i) => ({
        warningId: `w-${type}`,
        type,
        startedAt: new Date(start + (i + 1) * 300_000).toISOString(),
        weight,
        durationS,
        confidence,
        durationFactor,
        points,
      })),
      chainFactor: 1,
      formula: 'score = round(100·(1 − exp(−Σ raw / 100)))',
    },
    decision: {
      outcome: 'needs_follow_up',
      reviewer: 'Marta Nowak',
      decidedAt: new Date(start + 86_400_000).toISOString(),
      comment: 'Two speech flags confirmed; invite for a follow-up call.',
    },
    idVerification: {
      status: 'needs_review',
      cardImagePath: 'id-card.jpg',
      extractedFields: [
        { label: 'Name', value: 'ZOË ÅNGSTRÖM-ŁUKASIEWICZ' },
        { label: 'Document no.', value: 'X8842019' },
        { label: 'Date of birth', value: '1994-03-17' },
        { label: 'Expires', value: '2031-05-02' },
      ],
      faceMatchScore: 0.71,
      reasons: ['Face match below the 0.80 threshold', 'Name on the card matches the enrolled name'],
    },
    questions: Array.from({ length: questionCount }, (_, i) => ({
      question: `Question ${i + 1}: how would you design component ${i + 1} so that it survives a network partition?`,
      answer: makeText(options.answerWords ?? 120 + i * 40, i + 1),
      score: (i * 3 + 5) % 11,
      feedback: `Feedback ${i + 1}: clear structure; mention failure detection and back-pressure explicitly.`,
    })),
    traits: ['Structured thinker', 'Calm under time pressure', 'Explains trade-offs'],
    suggestions: ['Quantify latency budgets', 'Discuss observability earlier'],
    warnings: Array.from({ length: warningCount }, (_, i) => ({
      type: WARNING_TYPES[i % WARNING_TYPES.length]!,
      severity: severities[i % 3]!,
      startedAt: new Date(
        start + Math.floor(((i + 0.5) / warningCount) * sessionSeconds * 1000),
      ).toISOString(),
      durationSeconds: 3 + (i % 7) * 4,
      confidence: 0.55 + ((i * 7) % 45) / 100,
      verdict: verdicts[i % 3]!,
      ...(i % 3 === 1 ? { comment: 'Glance at notes on the desk, allowed by the exam rules.' } : {}),
      snapshotPath: i < snapshotCount ? `snapshots/w${i + 1}.jpg` : null,
    })),
    evidence: {
      verdict: 'intact',
      finalHash: '9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8',
      eventCount: 1843,
    },
    evaluator: {
      kind: 'openai',
      name: 'OpenAI-compatible evaluator',
      model: 'gpt-4o-mini',
      promptTokens: 18234,
      completionTokens: 2411,
      costUsd: 0.0042,
    },
    previousVersions: [],
  };
}
