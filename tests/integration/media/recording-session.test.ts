// The renderer cannot choose what is filed: mediaStart names no session and no upload mode (its
// schema refuses both), main files the recording under its own current session with that exam's
// upload mode, and candidateFinish uploads the recording main opened for the session, not one the
// renderer names. Chunks and stops are accepted only for the recording main opened for its current
// session: another session's recording id is refused and that recording stays as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../../src-main/app/create-app';
import { createEnrollmentCode, createExam, createUser } from '../../../src-main/central/admin';
import { DEMO_EXAM } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';

const ctx = { transport: 'host' as const, origin: 'test' };
let testApp: TestApp;
let app: VigilApp;

async function call<C extends CallName>(name: C, request: CallRequest<C>) {
  const result = await app.dispatcher.dispatch(name, request, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as CallResponse<C>;
}
/** A request the renderer could send that the typed contract does not allow. */
const dispatchRaw = (name: CallName, request: unknown) => app.dispatcher.dispatch(name, request, ctx);

beforeAll(() => {
  testApp = createTestApp('host');
  app = testApp.app;
});
afterAll(async () => {
  await app.close();
  testApp.cleanup();
});

describe('what a recording is filed under', () => {
  it('is main’s current session with its exam’s upload mode, whatever the renderer names', async () => {
    const recordingsOf = async (sessionId: string) =>
      (await app.context.candidate.store()).raw
        .prepare('SELECT id, upload_mode FROM media_recordings WHERE session_id = ?')
        .all(sessionId) as { id: string; upload_mode: string }[];

    // No session in progress: nothing to record, and the renderer cannot name one.
    const none = await dispatchRaw('mediaStart', { mimeType: 'video/webm', expectedDurationS: 60 });
    expect(none).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (none.ok) throw new Error('unreachable');
    expect(none.error.message).toContain('Start (or resume) the exam');

    const central = await app.context.candidate.central();
    const candidateId = await createUser(central.db, {
      email: 'filed@candidates.test',
      role: 'candidate',
      displayName: 'Filed Candidate',
    });
    const exam = async (uploadMode: 'full' | 'flags_only') => {
      const examId = await createExam(central.db, {
        ...DEMO_EXAM,
        title: `Filing (${uploadMode})`,
        uploadMode,
        retentionDays: 30,
      });
      const { code } = await createEnrollmentCode(central.db, { candidateId, examId, ttlMinutes: 30 });
      await call('candidateEnroll', { code });
      return examId;
    };
    const fullExam = await exam('full');
    const flagsOnlyExam = await exam('flags_only');
    // An earlier session, still open, of a full-upload exam; then the session main runs now.
    const other = await call('candidateConsent', { examId: fullExam, accepted: true });
    await new Promise((resolve) => setTimeout(resolve, 5)); // consent times order the sessions
    const current = await call('candidateConsent', { examId: flagsOnlyExam, accepted: true });

    // The renderer asks to file under the other session, as a full upload: the schema refuses it.
    for (const extra of [
      { sessionId: other.sessionId },
      { uploadMode: 'full' },
      { sessionId: current.sessionId },
    ]) {
      const named = await dispatchRaw('mediaStart', {
        mimeType: 'video/webm',
        expectedDurationS: 60,
        ...extra,
      });
      expect(named).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(await recordingsOf(other.sessionId)).toEqual([]);
    expect(await recordingsOf(current.sessionId)).toEqual([]);

    // A recording the disk cannot hold is refused with a typed error before anything is opened.
    const tooBig = await dispatchRaw('mediaStart', {
      mimeType: 'video/webm',
      expectedDurationS: 86_400,
      bitsPerSecond: 50_000_000,
    });
    expect(tooBig).toMatchObject({
      ok: false,
      error: { code: 'DISK_FULL', details: { reason: 'disk_full' } },
    });

    // The request main accepts names neither: the recording is the current session's, flags-only.
    const started = await call('mediaStart', { mimeType: 'video/webm', expectedDurationS: 60 });
    expect(await recordingsOf(current.sessionId)).toEqual([
      { id: started.recordingId, upload_mode: 'flags_only' },
    ]);
    expect(await recordingsOf(other.sessionId)).toEqual([]);

    // The other session's own recording (main opens it only when that session is current again).
    const store = await app.context.candidate.store();
    store.raw
      .prepare(
        `INSERT INTO media_recordings (id, session_id, dir, mime_type, upload_mode, mp4, state, started_at)
         VALUES ('rec_other_session', ?, '/nowhere', 'video/webm', 'full', 0, 'merged', ?)`,
      )
      .run(other.sessionId, new Date().toISOString());

    // Finishing cannot hand main that recording to upload with this session.
    const finishNamed = await dispatchRaw('candidateFinish', {
      sessionId: current.sessionId,
      recordingId: 'rec_other_session',
    });
    expect(finishNamed).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await call('candidateFinish', { sessionId: current.sessionId });
    const upload = store.raw
      .prepare(`SELECT payload FROM jobs WHERE kind = 'recording_upload' AND session_id = ?`)
      .get(current.sessionId) as { payload: string };
    expect(JSON.parse(upload.payload)).toMatchObject({ recordingId: started.recordingId });
    expect(
      store.raw
        .prepare('SELECT recording_id FROM candidate_progress WHERE session_id = ?')
        .get(current.sessionId),
    ).toEqual({ recording_id: started.recordingId });
  });
});

describe('which recording a chunk or a stop may name', () => {
  it('only the current session’s own: another session’s recording is refused and unchanged', async () => {
    const store = await app.context.candidate.store();
    const central = await app.context.candidate.central();
    const candidateId = await createUser(central.db, {
      email: 'chunks@candidates.test',
      role: 'candidate',
      displayName: 'Chunk Candidate',
    });
    const enrolledExam = async (title: string) => {
      const examId = await createExam(central.db, { ...DEMO_EXAM, title, retentionDays: 30 });
      const { code } = await createEnrollmentCode(central.db, { candidateId, examId, ttlMinutes: 30 });
      await call('candidateEnroll', { code });
      return examId;
    };
    const firstExam = await enrolledExam('Chunks (first)');
    const secondExam = await enrolledExam('Chunks (second)');
    // The first session records while it is current, with one chunk stored.
    await call('candidateConsent', { examId: firstExam, accepted: true });
    const first = await call('mediaStart', { mimeType: 'video/webm', expectedDurationS: 60 });
    await call('mediaAppendChunk', {
      recordingId: first.recordingId,
      segment: first.segment,
      seq: 0,
      elapsedMs: 1000,
      bytes: new Uint8Array(512).fill(1),
    });
    const stateOf = (recordingId: string) => ({
      recording: store.raw
        .prepare('SELECT state, ended_at, stop_reason FROM media_recordings WHERE id = ?')
        .get(recordingId),
      chunks: store.raw
        .prepare('SELECT segment, seq, sha256 FROM media_chunks WHERE recording_id = ? ORDER BY segment, seq')
        .all(recordingId),
      segments: store.raw
        .prepare('SELECT segment, durable_bytes, chunks FROM media_segments WHERE recording_id = ?')
        .all(recordingId),
    });
    const before = stateOf(first.recordingId);
    expect(before.chunks).toHaveLength(1);

    // Then another session becomes the one main runs; its renderer names the first session's recording.
    await new Promise((resolve) => setTimeout(resolve, 5)); // consent times order the sessions
    await call('candidateConsent', { examId: secondExam, accepted: true });
    const append = await dispatchRaw('mediaAppendChunk', {
      recordingId: first.recordingId,
      segment: first.segment,
      seq: 1,
      elapsedMs: 2000,
      bytes: new Uint8Array(512).fill(2),
    });
    expect(append).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', details: { reason: 'not_current_recording' } },
    });
    if (append.ok) throw new Error('unreachable');
    expect(append.error.message).toContain('Reload the exam screen');
    const stop = await dispatchRaw('mediaStop', { recordingId: first.recordingId, recordedMs: 2000 });
    expect(stop).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', details: { reason: 'not_current_recording' } },
    });
    // A recording id main never opened is refused the same way.
    const unknown = await dispatchRaw('mediaStop', { recordingId: 'rec_never_opened', recordedMs: 1 });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // Nothing was filed: the first recording is still recording, with its one chunk.
    expect(stateOf(first.recordingId)).toEqual(before);
    expect(before.recording).toMatchObject({ state: 'recording', ended_at: null });

    // The current session's own recording takes chunks as before.
    const second = await call('mediaStart', { mimeType: 'video/webm', expectedDurationS: 60 });
    expect(second.recordingId).not.toBe(first.recordingId);
    const ack = await call('mediaAppendChunk', {
      recordingId: second.recordingId,
      segment: second.segment,
      seq: 0,
      elapsedMs: 1000,
      bytes: new Uint8Array(512).fill(3),
    });
    expect(ack).toMatchObject({ segment: second.segment, seq: 0, durableBytes: 512 });
  });
});
