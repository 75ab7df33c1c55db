// Seeds a central PostgreSQL for the console tests: two exams, a proctor per exam, an admin, and
// sessions with warnings, snapshots (real blob rows and chunks), questions and an evaluation.
// Written through the owner login, as the ingest functions would leave them.
import { createHash, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { SqlQuery } from '../../../src-main/central/connect';
import { AdminService } from '../../../src-main/admin/admin-service';
import type { RiskExplanation } from '../../../src-preload/risk-explanation';

export const PASSWORD = 'proctor-password-1';

export interface SeededSession {
  id: string;
  examId: string;
  candidateId: string;
  risk: number;
  warningIds: string[];
}

export interface Seed {
  examA: string;
  examB: string;
  proctorA: string;
  proctorB: string;
  admin: string;
  sessions: SeededSession[];
  snapshot: { sha256: string; bytes: Buffer };
}

/** A small real JPEG for the gallery; its bytes are what the console must show back. */
async function snapshotJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .jpeg()
    .toBuffer();
}

async function addBlob(
  q: SqlQuery,
  sessionId: string,
  kind: string,
  data: Buffer,
  type: string,
): Promise<string> {
  const sha = createHash('sha256').update(data).digest();
  const id = randomUUID();
  await q(
    `INSERT INTO vigil.blobs (id, session_id, kind, sha256, size, content_type, received, status, completed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $5, 'complete', now())`,
    [id, sessionId, kind, sha, data.length, type],
  );
  await q(`INSERT INTO vigil.blob_chunks (blob_id, "offset", sha256, data) VALUES ($1, 0, $2, $3)`, [
    id,
    sha,
    data,
  ]);
  return sha.toString('hex');
}

export async function seedConsole(
  q: SqlQuery,
  options: { suffix?: string; video?: { data: Buffer; contentType: string } } = {},
): Promise<Seed> {
  const sfx = options.suffix ?? '';
  const JPEG = await snapshotJpeg();
  const admin = new AdminService(q);
  const examA = await admin.saveExam({
    title: `Exam A${sfx}`,
    type: 'SKL',
    difficulty: 5,
    keyQuestions: [{ question: 'Explain closures', time_limit_s: 120 }],
    retentionDays: 30,
  });
  const examB = await admin.saveExam({
    title: `Exam B${sfx}`,
    type: 'GEN',
    difficulty: 3,
    retentionDays: 365,
    uploadMode: 'flags_only',
  });
  const proctorA = await admin.addStaff({
    email: `pa${sfx}@example.org`,
    name: 'Proctor Ada',
    role: 'proctor',
    login: `proctor_a${sfx}`,
    password: PASSWORD,
  });
  const proctorB = await admin.addStaff({
    email: `pb${sfx}@example.org`,
    name: 'Proctor Bo',
    role: 'proctor',
    login: `proctor_b${sfx}`,
    password: PASSWORD,
  });
  const adminId = await admin.addStaff({
    email: `ad${sfx}@example.org`,
    name: 'Admin Al',
    role: 'admin',
    login: `admin_al${sfx}`,
    password: PASSWORD,
  });
  await admin.assignProctor(examA, proctorA);
  await admin.assignProctor(examB, proctorB);

  const sessions: SeededSession[] = [];
  const day = 86_400_000;
  const plan = [
    {
      exam: examA,
      name: 'Alice Able',
      risk: 82,
      ageDays: 40,
      warnings: ['looking_away', 'multiple_faces', 'looking_away'],
    },
    {
      exam: examA,
      name: '=HYPERLINK("http://evil.example","click")',
      risk: 55,
      ageDays: 2,
      warnings: ['no_face'],
    },
    // A score always has its factors (migration 0402): Carol's 10 is one short glance away.
    { exam: examA, name: 'Carol Calm', risk: 10, ageDays: 1, warnings: ['looking_away'] },
    { exam: examB, name: 'Bruno Bexam', risk: 95, ageDays: 40, warnings: ['speech_detected', 'focus_lost'] },
    { exam: examB, name: 'Bianca Bexam', risk: 30, ageDays: 3, warnings: ['focus_lost'] },
  ];
  let snapshotSha = '';
  for (const [i, p] of plan.entries()) {
    const [cand] = await q<{ id: string }>(
      `INSERT INTO vigil.users (email, display_name, role) VALUES ($1, $2, 'candidate') RETURNING id`,
      [`cand${i}${sfx}@example.org`, p.name],
    );
    const id = randomUUID();
    const started = new Date(Date.now() - p.ageDays * day);
    const ended = new Date(started.getTime() + 30 * 60_000);
    const warningIds = p.warnings.map(() => randomUUID());
    const at = (k: number) => new Date(started.getTime() + (k + 1) * 60_000);
    await q(
      `INSERT INTO vigil.sessions (id, exam_id, candidate_id, status, started_at, ended_at, risk_score,
         risk_factors, id_verification_status, id_details)
       VALUES ($1, $2, $3, 'completed', $4, $5, $6, $7, 'verified', $8)`,
      [
        id,
        p.exam,
        cand!.id,
        started,
        ended,
        p.risk,
        JSON.stringify(seededRisk(p.risk, p.warnings, warningIds, at)),
        JSON.stringify({ fields: { Name: p.name }, faceMatchScore: 0.91, reasons: [] }),
      ],
    );
    snapshotSha = await addBlob(q, id, 'snapshot', JPEG, 'image/jpeg');
    if (options.video && p.exam === examA) {
      const videoSha = await addBlob(q, id, 'video', options.video.data, options.video.contentType);
      await q(`UPDATE vigil.sessions SET video_sha256 = decode($2, 'hex') WHERE id = $1`, [id, videoSha]);
    }
    for (const [k, type] of p.warnings.entries()) {
      await q(
        `INSERT INTO vigil.warnings (id, session_id, type, severity, started_at, ended_at, confidence, snapshot_sha256, details)
         VALUES ($1, $2, $3, 'high', $4, $5, 0.9, decode($6, 'hex'), '{"detector":"test"}')`,
        [warningIds[k], id, type, at(k), new Date(at(k).getTime() + 5000), snapshotSha],
      );
    }
    await q(
      `INSERT INTO vigil.events (session_id, seq, kind, occurred_at, body, payload, prev_hash, hash, hash_valid)
       VALUES ($1, 1, 'session_started', $2, '{}', '{}', $3, $3, true)`,
      [id, started, Buffer.alloc(32)],
    );
    await q(
      `INSERT INTO vigil.questions (id, session_id, ordinal, text, answer_text, asked_at, answered_at)
       VALUES ($1, $2, 0, 'Explain closures', 'A function with its scope', $3, $3)`,
      [randomUUID(), id, started],
    );
    await q(
      `INSERT INTO vigil.evaluations (id, session_id, professionalism, subject_knowledge, clarity, overall, evaluator, feedback)
       VALUES ($1, $2, 70, 80, 75, 76, 'local', 'Clear answers.')`,
      [randomUUID(), id],
    );
    sessions.push({ id, examId: p.exam, candidateId: cand!.id, risk: p.risk, warningIds });
  }
  return {
    examA,
    examB,
    proctorA,
    proctorB,
    admin: adminId,
    sessions,
    snapshot: { sha256: snapshotSha, bytes: JPEG },
  };
}

/** The seeded score split evenly over the session's warnings (in tenths, the rest on the first). */
function seededRisk(
  score: number,
  types: string[],
  warningIds: string[],
  at: (k: number) => Date,
): RiskExplanation {
  const tenths = Math.round(score * 10);
  const each = Math.floor(tenths / types.length);
  return {
    score,
    factors: types.map((type, k) => ({
      warningId: warningIds[k]!,
      type,
      startedAt: at(k).toISOString(),
      weight: 20,
      durationS: 5,
      confidence: 0.9,
      durationFactor: 0.5,
      points: (each + (k === 0 ? tenths - each * types.length : 0)) / 10,
    })),
    chainFactor: 1,
    formula: 'seeded for tests',
  };
}
