// Retention on the candidate's device, on a real SQLite store with real files: exactly the expired,
// fully synced sessions go (every row and file, checked by query and on disk), everything else stays
// byte for byte; expired sessions that are not synced are kept and the receipt says why; a dry run
// deletes nothing; an interrupted run is finished; the per-session purge job and `vigil purge --local` work.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  finishInterruptedPurges,
  purgeLocal,
  receiptsDirFor,
  verifyLocalPurgeReceipt,
  type LocalPurgeReceipt,
} from '../../../src-main/admin/local-purge';
import { enqueueLocalPurge, registerLocalPurgeJob } from '../../../src-main/admin/local-purge-job';
import { enqueueAfterSession } from '../../../src-main/session/after-session-jobs';
import { JobRunner } from '../../../src-main/store/job-runner';
import { main } from '../../../src-main/cli/main';
import { registerBlob } from '../../../src-main/store/blob-uploads';
import { enqueueJob, jobState } from '../../../src-main/store/jobs';
import { cacheExam, type CachedExam } from '../../../src-main/store/exam-cache';
import { sealedExam } from '../../support/sealed-exam';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { addSnapshot, finishSession, recordWarning, startSession } from '../../../src-main/store/sessions';
import { localDbPath } from '../../../src-main/store/db-file';
import { runVigil } from '../../support/cli';
import { makeTempDir } from '../../support/temp-dir';
import { explainedRisk } from '../../support/risk';

const DAY = 86_400_000;
const NOW = new Date('2026-11-22T03:00:00.000Z');
const EXAM_30 = '11111111-1111-4111-8111-111111111111';
const EXAM_365 = '22222222-2222-4222-8222-222222222222';
const EXAM_UNCACHED = '33333333-3333-4333-8333-333333333333';

const temp = makeTempDir('vigil-local-purge-');
const outside = makeTempDir('vigil-local-purge-outside-');
const dataDir = temp.dir;
let store: LocalStore;

afterAll(async () => {
  await store?.close();
  temp.cleanup();
  outside.cleanup();
});

function writeFile(file: string, bytes: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.alloc(bytes, 7));
  return file;
}

function exam(id: string, retentionDays: number): CachedExam {
  return {
    id,
    title: `Exam ${retentionDays}`,
    type: 'SKL',
    difficulty: 4,
    keyQuestions: [{ question: 'Why?', time_limit_s: 60 }],
    policy: {},
    retentionDays,
    uploadMode: 'full',
  };
}

interface Made {
  id: string;
  files: string[];
}

type Sync = 'synced' | 'outbox_pending' | 'file_pending' | 'video_missing' | 'work_pending';

/** A finished session as the app leaves it: rows in every table, files in every folder. */
function makeSession(examId: string, endedDaysAgo: number, sync: Sync): Made {
  const ended = new Date(NOW.getTime() - endedDaysAgo * DAY);
  const started = new Date(ended.getTime() - 30 * 60_000).toISOString();
  const files: string[] = [];
  const id = store.write('session', (tx) => {
    const sid = startSession(tx, { examId, startedAt: started });
    const warningId = recordWarning(tx, {
      sessionId: sid,
      type: 'looking_away',
      severity: 'medium',
      startedAt: started,
      endedAt: ended.toISOString(),
    });
    const snap = writeFile(path.join(dataDir, 'snapshots', sid, 'warning-1.jpg'), 300);
    files.push(snap);
    addSnapshot(tx, { sessionId: sid, warningId, path: snap, sha256: 'a'.repeat(64), bytes: 300 });
    const card = writeFile(path.join(dataDir, 'snapshots', sid, 'id-card.jpg'), 500);
    files.push(card);
    registerBlob(tx, {
      id: randomUUID(),
      sessionId: sid,
      kind: 'id_image',
      path: card,
      sha256: 'b'.repeat(64),
      size: 500,
      contentType: 'image/jpeg',
      deleteAfterUpload: false,
    });
    const report = writeFile(path.join(dataDir, 'reports', sid, 'report-v1.pdf'), 900);
    files.push(report, writeFile(path.join(dataDir, 'reports', sid, 'index.json'), 40));
    registerBlob(tx, {
      id: randomUUID(),
      sessionId: sid,
      kind: 'pdf',
      path: report,
      sha256: 'c'.repeat(64),
      size: 900,
      contentType: 'application/pdf',
      deleteAfterUpload: false,
    });
    finishSession(tx, {
      sessionId: sid,
      status: 'completed',
      risk: explainedRisk(20, randomUUID()),
      endedAt: ended.toISOString(),
    });
    return sid;
  });
  // Recording (segments, merged video), interview, evaluation, usage and flow rows.
  const recordingId = randomUUID();
  const recDir = path.join(dataDir, 'recordings', recordingId);
  const merged = writeFile(path.join(recDir, 'recording.webm'), 4000);
  files.push(merged, writeFile(path.join(recDir, 'segment-0001.webm'), 2500));
  files.push(writeFile(path.join(recDir, 'clips', 'w1.mp4'), 700));
  const audio = writeFile(path.join(dataDir, 'answers', id, 'answer-01.webm'), 1200);
  files.push(audio);
  const db = store.raw;
  const iso = ended.toISOString();
  db.prepare(
    `INSERT INTO media_recordings (id, session_id, dir, mime_type, upload_mode, state, started_at, ended_at, merged_path)
     VALUES (?, ?, ?, 'video/webm', 'full', 'merged', ?, ?, ?)`,
  ).run(recordingId, id, recDir, started, iso, merged);
  db.prepare(
    `INSERT INTO media_segments (recording_id, segment, file, durable_bytes, chunks, created_at) VALUES (?, 1, 'segment-0001.webm', 2500, 2, ?)`,
  ).run(recordingId, started);
  for (const seq of [1, 2])
    db.prepare(
      `INSERT INTO media_chunks (recording_id, segment, seq, "offset", size, sha256, elapsed_ms, received_at) VALUES (?, 1, ?, ?, 1250, 'x', 0, ?)`,
    ).run(recordingId, seq, (seq - 1) * 1250, started);
  db.prepare(
    `INSERT INTO media_events (recording_id, session_id, kind, payload, at) VALUES (?, ?, 'disk_low', '{}', ?)`,
  ).run(recordingId, id, started);
  if (sync !== 'video_missing')
    store.write('video queued', (tx) =>
      registerBlob(tx, {
        id: randomUUID(),
        sessionId: id,
        kind: 'video',
        path: merged,
        sha256: 'd'.repeat(64),
        size: 4000,
        contentType: 'video/webm',
        deleteAfterUpload: false,
      }),
    );
  db.prepare(
    `INSERT INTO session_exams (session_id, exam_id, exam_json, started_at, ended_at) VALUES (?, ?, '{}', ?, ?)`,
  ).run(id, examId, started, iso);
  const questionId = randomUUID();
  db.prepare(
    `INSERT INTO questions (id, session_id, seq, text, time_limit_s, source) VALUES (?, ?, 1, 'Why?', 60, 'admin')`,
  ).run(questionId, id);
  db.prepare(
    `INSERT INTO answers (question_id, session_id, text, audio_path, updated_at) VALUES (?, ?, 'Because', ?, ?)`,
  ).run(questionId, id, audio, iso);
  db.prepare(
    `INSERT INTO messages (session_id, seq, role, content, created_at) VALUES (?, 1, 'assistant', 'Why?', ?)`,
  ).run(id, iso);
  const evaluationId = randomUUID();
  db.prepare(
    `INSERT INTO evaluations (id, session_id, evaluator, model, label, professionalism, subject_knowledge, clarity,
       overall, traits, suggestions, feedback, question_responses, details, created_at)
     VALUES (?, ?, 'local', 'local', 'Local', 70, 70, 70, 70, '[]', '[]', 'ok', '[]', '{}', ?)`,
  ).run(evaluationId, id, iso);
  // The job runner's work after the session: evaluation and report done, unless the report is
  // still waiting (work_pending).
  store.write('after-session jobs', (tx) => {
    const evaluation = enqueueJob(tx, { kind: 'evaluation', sessionId: id, key: id, payload: {} });
    const report = enqueueJob(tx, {
      kind: 'report',
      sessionId: id,
      key: id,
      payload: { trigger: 'session_end' },
      dependsOn: [evaluation],
    });
    tx.raw.prepare(`UPDATE jobs SET status = 'done' WHERE id = ?`).run(evaluation);
    if (sync !== 'work_pending') tx.raw.prepare(`UPDATE jobs SET status = 'done' WHERE id = ?`).run(report);
  });
  db.prepare(
    `INSERT INTO token_usage (created_at, model, request_type, status, prompt_tokens, completion_tokens,
       total_tokens, session_id, exam_id, attempt) VALUES (?, 'gpt', 'evaluation', 'ok', 10, 5, 15, ?, ?, 1)`,
  ).run(iso, id, examId);
  db.prepare(
    `INSERT INTO candidate_progress (session_id, exam_id, stage, consented_at, updated_at)
     VALUES (?, ?, 'finish', ?, ?)`,
  ).run(id, examId, started, iso);

  // What the uploader leaves behind: acknowledged outbox rows deleted, receipts on every file.
  const outboxOf = `instr(idempotency_key, ?) > 0 OR instr(payload, ?) > 0`;
  if (sync === 'outbox_pending')
    db.prepare(`DELETE FROM outbox WHERE (${outboxOf}) AND kind != 'event'`).run(id, id);
  else db.prepare(`DELETE FROM outbox WHERE ${outboxOf}`).run(id, id);
  db.prepare(
    `UPDATE blob_uploads SET status = 'done', receipt = '{"ok":true}', uploaded_bytes = size WHERE session_id = ?
       AND NOT (? = 'file_pending' AND kind = 'snapshot')`,
  ).run(id, sync);
  return { id, files };
}

const TABLES: [string, string][] = [
  ['sessions', 'id'],
  ['events', 'session_id'],
  ['warnings', 'session_id'],
  ['snapshots', 'session_id'],
  ['blob_uploads', 'session_id'],
  ['media_recordings', 'session_id'],
  ['media_events', 'session_id'],
  ['session_exams', 'session_id'],
  ['questions', 'session_id'],
  ['answers', 'session_id'],
  ['messages', 'session_id'],
  ['evaluations', 'session_id'],
  ['jobs', 'session_id'],
  ['candidate_progress', 'session_id'],
  ['token_usage', 'session_id'],
];

/** Rows per table for one session (media segments and chunks through its recordings). */
function rowsOf(id: string): Record<string, number> {
  const n = (text: string) => (store.raw.prepare(text).get(id) as { n: number }).n;
  const out: Record<string, number> = {};
  for (const [table, column] of TABLES)
    out[table] = n(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`);
  out.media_segments = n(
    `SELECT count(*) AS n FROM media_segments s JOIN media_recordings r ON r.id = s.recording_id WHERE r.session_id = ?`,
  );
  out.media_chunks = n(
    `SELECT count(*) AS n FROM media_chunks c JOIN media_recordings r ON r.id = c.recording_id WHERE r.session_id = ?`,
  );
  return out;
}

const everyFile = () =>
  fs
    .readdirSync(dataDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('vigil.db') && !e.parentPath.includes('receipts'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();

let old: Made; // expired and synced: goes
let pendingOutbox: Made;
let pendingFile: Made;
let noVideo: Made;
let recent: Made;
let longRetention: Made;
let uncached: Made;
let pendingWork: Made;
let outsideFile: string;

beforeAll(async () => {
  store = await openLocalStore(localDbPath(dataDir));
  const sealed = [
    (await sealedExam(exam(EXAM_30, 30))).fetched,
    (await sealedExam(exam(EXAM_365, 365))).fetched,
  ];
  store.write('exams', (tx) => {
    for (const fetched of sealed) cacheExam(tx, fetched);
  });
  old = makeSession(EXAM_30, 40, 'synced');
  pendingOutbox = makeSession(EXAM_30, 45, 'outbox_pending');
  pendingFile = makeSession(EXAM_30, 50, 'file_pending');
  noVideo = makeSession(EXAM_30, 60, 'video_missing');
  recent = makeSession(EXAM_30, 5, 'synced');
  longRetention = makeSession(EXAM_365, 200, 'synced');
  uncached = makeSession(EXAM_UNCACHED, 400, 'synced');
  pendingWork = makeSession(EXAM_30, 55, 'work_pending');
  // A row of the expired session pointing outside the data folder: that file is never touched.
  outsideFile = writeFile(path.join(outside.dir, 'elsewhere.bin'), 10);
  store.write('outside blob', (tx) =>
    registerBlob(tx, {
      id: randomUUID(),
      sessionId: old.id,
      kind: 'other',
      path: outsideFile,
      sha256: 'e'.repeat(64),
      size: 10,
      contentType: 'application/octet-stream',
      deleteAfterUpload: false,
    }),
  );
  store.raw
    .prepare(`UPDATE blob_uploads SET status = 'done', receipt = '{}' WHERE path = ?`)
    .run(outsideFile);
});

const others = () => [pendingOutbox, pendingFile, noVideo, recent, longRetention, uncached, pendingWork];

describe('local retention purge', () => {
  let dry: LocalPurgeReceipt;
  let rowsBefore: Record<string, Record<string, number>>;
  let filesBefore: string[];

  it('dry run: lists what would go and what is kept (and why), deletes nothing', () => {
    rowsBefore = Object.fromEntries([old, ...others()].map((s) => [s.id, rowsOf(s.id)]));
    filesBefore = everyFile();
    const outboxBefore = (store.raw.prepare(`SELECT count(*) AS n FROM outbox`).get() as { n: number }).n;
    dry = purgeLocal({ store, dataDir, dryRun: true, now: () => NOW }).receipt;
    expect(dry.dryRun).toBe(true);
    expect(dry.purged.map((p) => p.id)).toEqual([old.id]);
    expect(dry.purged[0]).toMatchObject({ examId: EXAM_30, retentionDays: 30 });
    const kept = Object.fromEntries(dry.kept.map((k) => [k.id, k.reasons.map((r) => r.code)]));
    expect(kept).toEqual({
      [pendingOutbox.id]: ['outbox_pending'],
      [pendingFile.id]: ['file_not_uploaded'],
      [noVideo.id]: ['video_not_uploaded'],
      [uncached.id]: ['retention_unknown'],
      [pendingWork.id]: ['work_pending'],
    });
    expect(dry.kept.find((k) => k.id === pendingOutbox.id)!.reasons[0]!.detail).toMatch(
      /^\d+ item\(s\) not yet sent$/,
    );
    expect(dry.withinRetention).toBe(2);
    expect(dry.files.map((f) => f.path).sort()).toEqual([...old.files].sort());
    const { token_usage: usage, ...deleted } = rowsBefore[old.id]!;
    expect(dry.rows).toEqual({ ...deleted, token_usage_detached: usage });
    expect(dry.rows).toMatchObject({
      sessions: 1,
      blob_uploads: 5,
      media_chunks: 2,
      token_usage_detached: 1,
    });
    // Nothing changed: every row, every file, the outbox; no receipt file.
    for (const s of [old, ...others()]) expect(rowsOf(s.id)).toEqual(rowsBefore[s.id]);
    expect(everyFile()).toEqual(filesBefore);
    expect((store.raw.prepare(`SELECT count(*) AS n FROM outbox`).get() as { n: number }).n).toBe(
      outboxBefore,
    );
    expect(fs.existsSync(receiptsDirFor(dataDir))).toBe(false);
  });

  it('removes exactly the expired, synced session: every row and file, nothing else', () => {
    const usageBefore = (store.raw.prepare(`SELECT count(*) AS n FROM token_usage`).get() as { n: number }).n;
    const { receipt, receiptFile } = purgeLocal({ store, dataDir, dryRun: false, now: () => NOW });
    expect(receipt.dryRun).toBe(false);
    expect(receipt.purged.map((p) => p.id)).toEqual([old.id]);
    expect(receipt.rows).toEqual(dry.rows);
    expect(receipt.files).toEqual(dry.files);
    expect(receipt.kept).toEqual(dry.kept);

    // By query: nothing of the purged session in any table; usage kept, detached.
    expect(Object.values(rowsOf(old.id)).every((n) => n === 0)).toBe(true);
    expect((store.raw.prepare(`SELECT count(*) AS n FROM token_usage`).get() as { n: number }).n).toBe(
      usageBefore,
    );
    for (const s of others()) expect(rowsOf(s.id), s.id).toEqual(rowsBefore[s.id]);
    // On disk: its files and folders are gone, every other file is still there.
    for (const f of old.files) expect(fs.existsSync(f), f).toBe(false);
    for (const folder of ['snapshots', 'answers', 'reports'])
      expect(fs.existsSync(path.join(dataDir, folder, old.id))).toBe(false);
    expect(everyFile()).toEqual(filesBefore.filter((f) => !old.files.includes(f)));
    expect(fs.existsSync(outsideFile)).toBe(true);

    // The receipt on disk is the one returned, sealed.
    const stored = JSON.parse(fs.readFileSync(receiptFile!, 'utf8')) as LocalPurgeReceipt;
    expect(stored).toEqual(receipt);
    expect(verifyLocalPurgeReceipt(stored)).toBe(true);
    expect(verifyLocalPurgeReceipt({ ...stored, purged: [] })).toBe(false);
    expect(fs.readdirSync(receiptsDirFor(dataDir)).filter((n) => n.includes('pending'))).toEqual([]);
  });

  it('is idempotent, and a session goes once its sync completes', () => {
    const again = purgeLocal({ store, dataDir, dryRun: false, now: () => NOW });
    expect(again.receipt.purged).toEqual([]);
    expect(again.receiptFile).toBeUndefined();
    expect(again.receipt.kept.map((k) => k.id)).toContain(pendingOutbox.id);
    // The uploader acknowledges the rest of its outbox.
    store.raw
      .prepare(`DELETE FROM outbox WHERE instr(idempotency_key, ?) > 0 OR instr(payload, ?) > 0`)
      .run(pendingOutbox.id, pendingOutbox.id);
    const later = purgeLocal({ store, dataDir, dryRun: false, now: () => NOW });
    expect(later.receipt.purged.map((p) => p.id)).toEqual([pendingOutbox.id]);
    expect(Object.values(rowsOf(pendingOutbox.id)).every((n) => n === 0)).toBe(true);
    for (const f of pendingOutbox.files) expect(fs.existsSync(f)).toBe(false);
    for (const s of [pendingFile, noVideo, recent, longRetention, uncached])
      for (const f of s.files) expect(fs.existsSync(f)).toBe(true);
  });

  it('finishes a run that stopped after the rows were deleted', () => {
    const dir = receiptsDirFor(dataDir);
    const stray = writeFile(path.join(dataDir, 'snapshots', 'gone-session', 'x.jpg'), 5);
    const receipt = { kind: 'local_purge', purged: [], sha256: 'x' } as unknown as LocalPurgeReceipt;
    fs.writeFileSync(
      path.join(dir, 'local-purge-test.pending.json'),
      JSON.stringify({ folders: [path.dirname(stray)], files: [stray, outsideFile], receipt }),
    );
    expect(finishInterruptedPurges(dataDir)).toBe(1);
    expect(fs.existsSync(stray)).toBe(false);
    expect(fs.existsSync(outsideFile)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'local-purge-test.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'local-purge-test.pending.json'))).toBe(false);
  });
});

describe('local purge as a job and from the CLI', () => {
  it("the session's end queues its purge, due when the exam's retention runs out, after its other work", () => {
    store.write('finish', (tx) => enqueueAfterSession(tx, recent.id, null));
    const purge = jobState(store, 'local_purge', recent.id)!;
    const ended = (
      store.raw.prepare('SELECT ended_at FROM sessions WHERE id = ?').get(recent.id) as {
        ended_at: string;
      }
    ).ended_at;
    expect(purge).toMatchObject({ status: 'queued', nextAttemptAt: Date.parse(ended) + 30 * DAY });
    const others = [
      // The server evaluates this exam: the report comes in the evaluation's place.
      jobState(store, 'report', recent.id)!,
      jobState(store, 'recording_upload', recent.id)!,
    ];
    expect(purge.dependsOn).toEqual(others.map((j) => j.id).sort((x, y) => x - y));
  });

  it('the runner purges a due, synced session; one not synced is retried until it is', async () => {
    // A session of its own whose snapshot has not been uploaded (the others are the CLI test's).
    const unsynced = makeSession(EXAM_30, 70, 'file_pending');
    let clock = NOW.getTime() + 400 * DAY;
    const runner = new JobRunner({ store, now: () => clock, random: () => 0 });
    registerLocalPurgeJob(runner, { store, dataDir, now: () => new Date(clock) });
    try {
      // The recent session's evaluation and upload are done (their own runners, not this test's).
      store.raw
        .prepare(`UPDATE jobs SET status = 'done' WHERE session_id = ? AND kind != 'local_purge'`)
        .run(recent.id);
      store.write('purge jobs', (tx) => {
        for (const made of [longRetention, unsynced]) {
          const row = tx.raw.prepare('SELECT ended_at, exam_id FROM sessions WHERE id = ?').get(made.id) as {
            ended_at: string;
            exam_id: string;
          };
          enqueueLocalPurge(tx, {
            sessionId: made.id,
            endedAt: row.ended_at,
            retentionDays: row.exam_id === EXAM_365 ? 365 : 30,
            after: [],
          });
        }
      });
      runner.start();
      await runner.drain();
      // A year later the 365-day exam's session has expired too; the unsynced one stays.
      const exists = (id: string) => !!store.raw.prepare('SELECT 1 FROM sessions WHERE id = ?').get(id);
      expect(exists(recent.id)).toBe(false);
      expect(exists(longRetention.id)).toBe(false);
      expect(exists(unsynced.id)).toBe(true);
      const kept = jobState(store, 'local_purge', unsynced.id)!;
      expect(kept).toMatchObject({ status: 'queued', attempts: 1, lastError: { code: 'CONFLICT' } });
      expect(kept.lastError!.message).toMatch(/without an upload receipt/);
      expect(kept.nextAttemptAt).toBeGreaterThan(clock);
      const receipts = fs.readdirSync(receiptsDirFor(dataDir)).filter((n) => n.endsWith('.json'));
      const purgedIds = receipts.flatMap(
        (n) =>
          (JSON.parse(fs.readFileSync(path.join(receiptsDirFor(dataDir), n), 'utf8')) as LocalPurgeReceipt)
            .purged,
      );
      expect(purgedIds.map((p) => p.id)).toEqual(expect.arrayContaining([recent.id, longRetention.id]));

      // Its upload completes; at the next attempt the session goes.
      store.raw
        .prepare(
          `UPDATE blob_uploads SET status = 'done', receipt = '{}', uploaded_bytes = size WHERE session_id = ?`,
        )
        .run(unsynced.id);
      clock = kept.nextAttemptAt;
      runner.nudge();
      await runner.drain();
      expect(exists(unsynced.id)).toBe(false);
    } finally {
      await runner.stop();
    }
  });

  it('vigil purge --local --dry-run prints the receipt', () => {
    const env = { VIGIL_DATA_DIR: dataDir };
    const dryRun = runVigil(['purge', '--local', '--dry-run', '--json'], env);
    expect(dryRun.stderr).toBe('');
    expect(dryRun.status).toBe(0);
    const receipt = JSON.parse(dryRun.stdout) as LocalPurgeReceipt & { receiptFile: string | null };
    expect(receipt).toMatchObject({ kind: 'local_purge', dryRun: true, receiptFile: null });
    expect(receipt.kept.map((k) => k.id).sort()).toEqual(
      [pendingFile.id, noVideo.id, uncached.id, pendingWork.id].sort(),
    );
  });

  it('vigil purge without --local refuses and says what to pass', async () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['node', 'vigil', 'purge'])).toBe(1);
    } finally {
      write.mockRestore();
    }
    expect(written.join('')).toMatch(/--local for this device's store.*vigil admin purge/);
  });
});
