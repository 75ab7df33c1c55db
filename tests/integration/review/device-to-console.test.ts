// From the candidate's device to the proctor's console, with no central row written by hand: a
// candidate enrolls, passes the system and ID checks and takes a whole interview through the app's
// contract (the sample face video as camera and recording, a lost microphone, a focus loss reported
// by the lockdown), the app's own uploader syncs to a real PostgreSQL, and a proctor signs in to the
// console of the same app. What the console receives: the ID check's status, reasons, fields and
// card image; the merged video linked to the session and seeking from the recording's start (upload
// mode full), or each warning's clip and the poster with no full video (flags_only); a snapshot on
// every warning, the audio and focus ones included; the answers with their per-answer score and
// feedback; the evaluation; every report version, its PDF readable; the exam's resume and job listing.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../../src-main/app/create-app';
import {
  createEnrollmentCode,
  createExam,
  createJobListing,
  createResume,
  createUser,
} from '../../../src-main/central/admin';
import {
  cameraFrames,
  encodeRecorderWebm,
  sampleMedia,
  sliceTimeslices,
} from '../../../src-main/demo/sample-media';
import { lockdownWarningHub } from '../../../src-main/lockdown/port';
import { resolveMediaBinaries } from '../../../src-main/media/binaries';
import { ReportArchive } from '../../../src-main/reports/report-archive';
import { serveBlob } from '../../../src-main/review/blob-route';
import { runWorkerRequestsInProcess } from '../../../src-main/worker/in-process';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import { pdfText } from '../../support/pdf-tools';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../../support/central';

const ctx = { transport: 'host' as const, origin: 'test' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const QUESTIONS = [
  { question: 'How would you make an upload resumable after a crash?', time_limit_s: 120 },
  { question: 'How do you keep a database migration safe to run twice?', time_limit_s: 120 },
];
const ANSWERS = [
  'Store every chunk with its offset and hash, ask the server where it stands, and continue from that offset; ' +
    'a final hash over the whole file proves the upload is complete.',
  'Make every step idempotent: check what exists before creating it, record the applied version in the same ' +
    'transaction, and test the migration up and down on a copy of production data.',
];
const RESUME = 'Ada Example. Backend engineer: offline-first sync, PostgreSQL, media pipelines.';
const JOB = {
  title: 'Senior sync engineer',
  description: 'Builds the device-to-server sync of a proctoring app.',
};

let central: CentralFixture;
let media: { video: string; idCard: string };
let frames: Awaited<ReturnType<typeof cameraFrames>>;
let recording: Awaited<ReturnType<typeof encodeRecorderWebm>>;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-device-to-console-'));

beforeAll(async () => {
  central = await startCentral();
  media = sampleMedia();
  const tools = resolveMediaBinaries({});
  [frames, recording] = await Promise.all([
    cameraFrames(media.video, 2, tools.ffmpeg, tools.ffprobe),
    encodeRecorderWebm(media.video, path.join(scratch, 'camera.webm'), tools),
  ]);
}, 120_000);

afterAll(async () => {
  await central?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** An exam as an administrator prepares it: resume, job listing, key questions, one enrollment code. */
async function prepareExam(uploadMode: 'full' | 'flags_only') {
  const db = central.owner.db;
  const admin = await createUser(db, { email: `admin-${uploadMode}@staff.test`, role: 'admin' });
  const examId = await createExam(db, {
    title: `Sync exam (${uploadMode})`,
    type: 'SKL',
    difficulty: 6,
    keyQuestions: QUESTIONS,
    resumeId: await createResume(db, { userId: admin, fileName: 'ada.pdf', text: RESUME }),
    jobListingId: await createJobListing(db, { userId: admin, ...JOB }),
    uploadMode,
    // A practice exam evaluated on the device: the console shows the device's evaluation and risk
    // (no central worker runs here; an exam that counts is evaluated by it, evaluation-policy.test.ts).
    policy: { practice: true, evaluation: 'device' },
  });
  const candidateId = await createUser(db, {
    email: `candidate-${uploadMode}@candidates.test`,
    role: 'candidate',
    displayName: 'Ada Example',
  });
  const { code } = await createEnrollmentCode(db, { candidateId, examId });
  const proctor = `proctor_${uploadMode}`;
  await central.createProctor(proctor, [examId]);
  return { examId, code, proctor };
}

/** The candidate's whole session through the contract, as the renderer drives it. */
async function candidateSession(app: VigilApp, exam: { examId: string; code: string }) {
  const call = async <C extends CallName>(name: C, request: CallRequest<C>) => {
    const result = await app.dispatcher.dispatch(name, request, ctx);
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result.value as CallResponse<C>;
  };
  await call('candidateEnroll', { code: exam.code });
  const { sessionId } = await call('candidateConsent', { examId: exam.examId, accepted: true });
  const first = frames[0]!;
  await call('candidateFrame', { sessionId, jpeg: first.jpeg, width: first.width, height: first.height });
  const check = await call('candidateSystemCheck', {
    sessionId,
    camera: { ok: true, label: 'Test camera' },
    microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
    displays: 1,
    cpuProbeMs: 40,
  });
  expect(check.passed).toBe(true);
  const card = new Uint8Array(fs.readFileSync(media.idCard));
  const id = await call('candidateVerifyId', { sessionId, card, live: first.jpeg });

  let state = await call('candidateBeginInterview', { sessionId });
  const beforeRecording = Date.now();
  const started = await call('mediaStart', { mimeType: recording.mimeType, expectedDurationS: 240 });
  const recordingStarted = { after: beforeRecording, before: Date.now() };
  const chunks = sliceTimeslices(recording.file, recording.durationMs, started.timesliceMs);
  let nextChunk = 0;
  const sendChunksUntil = async (atMs: number) => {
    for (; nextChunk < chunks.length && chunks[nextChunk]!.elapsedMs <= atMs; nextChunk++) {
      await call('mediaAppendChunk', {
        recordingId: started.recordingId,
        segment: started.segment,
        seq: nextChunk,
        elapsedMs: chunks[nextChunk]!.elapsedMs,
        bytes: chunks[nextChunk]!.bytes,
      });
    }
  };
  const answer = async () => {
    const question = state.question!;
    state = await call('candidateSubmitAnswer', {
      sessionId,
      questionId: question.id,
      text: ANSWERS[question.index]!,
    });
  };
  // The sample video in real time (the analysis runs on main's clock, as with a live camera).
  const playStart = Date.now();
  let nextAudioS = 0;
  let focusLost = false;
  const sent: { atMs: number; sha256: string }[] = [];
  for (const frame of frames) {
    await sleep(playStart + frame.atMs - Date.now());
    sent.push({ atMs: Date.now(), sha256: sha256(frame.jpeg) });
    await call('candidateFrame', { sessionId, jpeg: frame.jpeg, width: frame.width, height: frame.height });
    await sendChunksUntil(frame.atMs);
    if (frame.atMs >= nextAudioS * 1000) {
      // The microphone's track ends from 1 s to 6 s: mic_lost, an audio warning with no frame of its own.
      const lost = nextAudioS >= 1 && nextAudioS < 6;
      const audio = Array.from({ length: 10 }, (_, i) => ({
        timestampMs: i * 100,
        levelDb: lost ? -120 : -30,
        voiceProbability: 0.1,
        trackLive: !lost,
      }));
      await call('candidateAudio', { sessionId, frames: audio });
      nextAudioS++;
    }
    if (!focusLost && frame.atMs >= 12_000) {
      // The shell reports a focus loss when the window comes back: 3 s, from 11 s into the video.
      focusLost = true;
      const endedAt = new Date();
      lockdownWarningHub.emit({
        type: 'focus_lost',
        severity: 'medium',
        startedAt: new Date(endedAt.getTime() - 3000).toISOString(),
        endedAt: endedAt.toISOString(),
        durationMs: 3000,
        confidence: 1,
        detector: 'lockdown',
        details: { source: 'window blur' },
      });
    }
    if (state.question?.index === 0 && frame.atMs >= 8000) await answer();
  }
  await sendChunksUntil(Infinity);
  while (!state.done && state.question) await answer();
  const merged = await call('mediaStop', {
    recordingId: started.recordingId,
    recordedMs: recording.durationMs,
  });
  let progress = await call('candidateFinish', { sessionId });
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const settled =
      progress.items.every((i) => i.state === 'done' || i.state === 'failed') &&
      progress.upload.pendingItems === 0 &&
      progress.upload.receipts > 0;
    if (settled) break;
    await sleep(500);
    progress = await call('candidateFinishProgress', { sessionId });
  }
  expect(progress.items.filter((i) => i.state === 'failed')).toEqual([]);
  return { sessionId, id, mergedPath: merged.path, recordingStarted, sent };
}

async function openConsole(app: VigilApp, proctor: string, sessionId: string) {
  const call = async <C extends CallName>(name: C, request: CallRequest<C>) => {
    const result = await app.dispatcher.dispatch(name, request, ctx);
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result.value as CallResponse<C>;
  };
  await call('consoleSignIn', { user: proctor, password: 'pw' });
  // As the console page loads a file: the contract gives its URL, the blob route serves it.
  const blob = async (sha: string) => {
    const { contentType, url } = await call('reviewBlob', { sha256: sha });
    const served = await serveBlob(app.context.console.review, { method: 'GET', url, range: undefined });
    expect(served.status).toBe(200);
    const parts: Buffer[] = [];
    for await (const part of served.body!) parts.push(part);
    return { contentType, data: Buffer.concat(parts) };
  };
  return {
    load: () => call('reviewLoad', { sessionId }),
    blob,
    decide: (decision: 'cleared' | 'flagged' | 'invalidated', note: string) =>
      call('reviewDecide', { sessionId, decision, note }),
  };
}

type Review = CallResponse<'reviewLoad'>;

/** The device's warnings: the server's own (an unknown app build) come with no camera or recording. */
const deviceWarnings = (review: Review) => review.warnings.filter((w) => w.details.detector !== 'server');

/** Waits until the device's blobs (uploaded after the records) are readable in the console. */
async function settledReview(
  console: Awaited<ReturnType<typeof openConsole>>,
  ready: (r: Review) => boolean,
): Promise<Review> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const review = await console.load();
    if (ready(review) || Date.now() > deadline) return review;
    await sleep(500);
  }
}

async function expectCommonReview(
  review: Review,
  console: Awaited<ReturnType<typeof openConsole>>,
  device: Awaited<ReturnType<typeof candidateSession>>,
  localDir: string,
) {
  // The ID check as the candidate's device decided it, with the card the candidate showed.
  expect(review.idVerification.status).toBe(device.id.decision);
  expect(review.idVerification.details).toMatchObject({
    reasons: device.id.reasons,
    fields: expect.objectContaining({ documentNumber: 'L898902C3' }) as unknown,
    faceMatchScore: device.id.faceMatch,
  });
  const card = await console.blob(review.idVerification.imageSha256!);
  expect(card.contentType).toBe('image/png'); // the sample card is a PNG, filed as what it is
  expect(sha256(card.data)).toBe(sha256(new Uint8Array(fs.readFileSync(media.idCard))));

  // Every warning has its snapshot, the frameless audio and focus warnings included.
  const types = new Set(review.warnings.map((w) => w.type));
  for (const type of ['no_face', 'multiple_faces', 'mic_lost', 'focus_lost']) expect(types).toContain(type);
  for (const w of deviceWarnings(review)) {
    expect(w.snapshotSha256, `${w.type} has a snapshot`).toMatch(/^[0-9a-f]{64}$/);
    const image = await console.blob(w.snapshotSha256!);
    expect(image.contentType).toBe('image/jpeg');
    expect([...image.data.subarray(0, 2)]).toEqual([0xff, 0xd8]);
  }
  // The frameless warnings show the camera at their start: the focus loss one of the frames sent
  // just before it began (it was reported 3 s later, on the window's return).
  const focus = review.warnings.find((w) => w.type === 'focus_lost')!;
  expect(focus.durationS).toBeCloseTo(3, 0);
  for (const w of review.warnings.filter((x) => x.type === 'focus_lost' || x.type === 'mic_lost')) {
    const start = Date.parse(w.startedAt);
    const near = device.sent
      .filter((f) => f.atMs >= start - 2500 && f.atMs <= start + 600)
      .map((f) => f.sha256);
    expect(near, `${w.type} shows the camera at its start`).toContain(w.snapshotSha256);
  }

  // Answers with the evaluation's per-answer score and feedback, and the evaluation itself.
  expect(review.answers.map((a) => [a.question, a.answer])).toEqual(
    QUESTIONS.map((q, i) => [q.question, ANSWERS[i]]),
  );
  const evaluation = review.evaluation!;
  expect(evaluation.evaluator).toBe('local');
  const responses = evaluation.questionResponses as { question: string; score: number; feedback: string }[];
  expect(responses).toHaveLength(QUESTIONS.length);
  for (const [i, a] of review.answers.entries()) {
    expect(a.score).toBe(responses[i]!.score);
    expect(a.score).toBeGreaterThanOrEqual(0);
    expect(a.score).toBeLessThanOrEqual(10);
    expect(a.feedback).toBe(responses[i]!.feedback);
    expect(a.feedback!.length).toBeGreaterThan(0);
  }

  // Every report version the device made, each PDF in central and the same bytes as the device's.
  const archived = await new ReportArchive(path.join(localDir, 'reports')).list(review.session.id);
  expect(archived.length).toBeGreaterThanOrEqual(1);
  expect(
    review.reports
      .filter((r) => r.filedBy === 'device')
      .map((r) => [r.version, r.reportId, r.sha256, r.uploaded]),
  ).toEqual(archived.map((a) => [a.version, a.reportId, a.sha256, true]));
  for (const report of review.reports) {
    const pdf = await console.blob(report.sha256);
    expect(pdf.contentType).toBe('application/pdf');
    expect(sha256(pdf.data)).toBe(report.sha256);
  }

  // The resume and job listing the exam's questions and evaluation use.
  expect(review.exam.resume).toEqual({ fileName: 'ada.pdf', text: RESUME });
  expect(review.exam.jobListing).toEqual(JOB);
}

describe('a real session from the candidate device to the proctor console', () => {
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.app.close();
    t?.cleanup();
  });

  it('upload mode full: ID check, the merged video linked and seeking from its start, snapshots, scores, reports', async () => {
    const exam = await prepareExam('full');
    t = createTestApp('host', {
      VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
      VIGIL_CENTRAL_SSL_MODE: 'disable',
    });
    const device = await candidateSession(t.app, exam);
    const console = await openConsole(t.app, exam.proctor, device.sessionId);
    const review = await settledReview(
      console,
      (r) => r.session.videoSha256 !== null && r.reports.length > 0 && r.reports.every((x) => x.uploaded),
    );

    const video = review.session.videoSha256!;
    const mergedBytes = new Uint8Array(fs.readFileSync(device.mergedPath));
    expect(video).toBe(sha256(mergedBytes));
    const played = await console.blob(video);
    expect(played.contentType).toMatch(/^video\//);
    expect(sha256(played.data)).toBe(video);
    // Each warning plays the merged video from the recording's start, which is not the session's
    // start (consent and the checks came first).
    for (const w of deviceWarnings(review)) {
      expect(w.media.kind).toBe('merged');
      expect(w.media.sha256).toBe(video);
      expect(w.media.startS).toBeLessThan(w.offsetS);
      // The recording started while mediaStart ran: the seek lies in the window that gives.
      const at = Date.parse(w.startedAt);
      expect(w.media.startS).toBeGreaterThanOrEqual((at - device.recordingStarted.before) / 1000 - 0.01);
      expect(w.media.startS).toBeLessThanOrEqual((at - device.recordingStarted.after) / 1000 + 0.01);
    }
    expect(review.session.posterSha256).toBeNull();
    await expectCommonReview(review, console, device, t.dir);

    // The proctor decides: the console renders no report; the central worker (its handlers run
    // here in-process, on the owner's login) makes one with the decision and files it in central.
    await console.decide('flagged', 'focus loss during question 2');
    await sleep(1000);
    const undecided = await console.load();
    expect(undecided.latestReport).toBeNull();
    expect(undecided.reports).toEqual(review.reports);
    await runWorkerRequestsInProcess(central.owner.db, 'test-worker');
    const decided = await settledReview(console, (r) => r.latestReport !== null);
    expect(decided.reports.slice(0, review.reports.length)).toEqual(review.reports);
    const filed = decided.reports.filter((r) => r.filedBy !== 'device');
    expect(filed).toEqual([decided.latestReport]);
    expect(decided.latestReport).toMatchObject({
      reason: 'decision',
      filedBy: 'worker',
      madeBy: 'test-worker',
      uploaded: true,
    });
    const pdf = await console.blob(filed[0]!.sha256);
    expect(pdf.contentType).toBe('application/pdf');
    expect(sha256(pdf.data)).toBe(filed[0]!.sha256);
    const pdfFile = path.join(scratch, 'decided.pdf');
    fs.writeFileSync(pdfFile, pdf.data);
    expect(await pdfText(pdfFile)).toContain('focus loss during question 2');
    await t.app.close();
    t.cleanup();
    t = undefined;
  }, 600_000);

  it('upload mode flags_only: each warning has its clip, the session its poster, and no full video exists', async () => {
    const exam = await prepareExam('flags_only');
    t = createTestApp('host', {
      VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
      VIGIL_CENTRAL_SSL_MODE: 'disable',
    });
    const device = await candidateSession(t.app, exam);
    const console = await openConsole(t.app, exam.proctor, device.sessionId);
    const review = await settledReview(
      console,
      (r) => r.session.posterSha256 !== null && r.reports.length > 0 && r.reports.every((x) => x.uploaded),
    );

    expect(review.session.videoSha256).toBeNull();
    const poster = await console.blob(review.session.posterSha256!);
    expect(poster.contentType).toBe('image/jpeg');
    for (const w of deviceWarnings(review)) {
      expect(w.media.kind, `${w.type} has a clip`).toBe('clip');
      const clip = await console.blob(w.media.sha256!);
      expect(clip.contentType).toBe('video/mp4');
      expect(sha256(clip.data)).toBe(w.media.sha256);
      // Its own clip: the window around this warning's moment in the recording (two warnings close
      // together may share the same bytes).
      const window = w.details.clip as { sha256: string; startS: number; lengthS: number };
      expect(window.sha256).toBe(w.media.sha256);
      const atS = (Date.parse(w.startedAt) - device.recordingStarted.after) / 1000;
      expect(window.startS).toBeLessThanOrEqual(atS + 0.01);
      expect(window.startS + window.lengthS).toBeGreaterThanOrEqual(
        Math.min(atS, recording.durationMs / 1000) - 1,
      );
    }
    // The full recording never left the device.
    const mergedSha = sha256(new Uint8Array(fs.readFileSync(device.mergedPath)));
    const [stored] = await central.owner.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM vigil.blobs WHERE session_id = $1 AND encode(sha256, 'hex') = $2`,
      [device.sessionId, mergedSha],
    );
    expect(stored!.n).toBe('0');
    await expectCommonReview(review, console, device, t.dir);
  }, 600_000);
});
