// The session's one proctor and its warning recorder, on a real local store with a scripted face
// analyser (an empty room) and a manual clock: a break pauses proctoring (open warnings end at the
// break, nothing is analysed or counted during it, lockdown focus losses are the candidate's own
// time) and resume goes on in the same session; every warning lands with its snapshot and chain
// event; a warning without a frame of its own carries the camera's JPEG from its start.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockdownWarning } from '../../../src-main/lockdown/types';
import { silentLogger } from '../../../src-main/log/logger';
import type { FaceAnalyzer } from '../../../src-main/proctoring/face-analyzer';
import { defaultPolicy } from '../../../src-main/proctoring/policy';
import { SessionProctor } from '../../../src-main/proctoring/session-proctor';
import type { WarningEvent } from '../../../src-main/proctoring/types';
import { WarningRecorder } from '../../../src-main/proctoring/warning-recorder';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { startSession } from '../../../src-main/store/sessions';
import { sessionRisk } from '../../../src-main/session/session-risk';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir('vigil-session-proctor-');
let store: LocalStore;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** An analyser that sees a well-lit room with nobody in it. */
const emptyRoom: FaceAnalyzer = {
  versions: { detector: 'scripted', human: 'scripted', tfjs: 'none', backend: 'none', models: [] },
  analyze: async (frame) => ({
    timestampMs: frame.timestampMs,
    width: frame.width,
    height: frame.height,
    faces: [],
    quality: { brightness: 120, contrast: 50, sharpness: 300 },
    analysisMs: 1,
    ran: { faceModels: true, gaze: false, embedding: false },
  }),
  stats: () => Promise.reject(new Error('not used')),
  onInterrupted: () => () => undefined,
  close: async () => undefined,
};

function newSession(): string {
  const id = crypto.randomUUID();
  store.write('session', (tx) => startSession(tx, { examId: 'exam-1', id }));
  return id;
}

function warnings(sessionId: string) {
  return store.raw
    .prepare(
      'SELECT id, type, started_at, ended_at, snapshot_id, details FROM warnings WHERE session_id = ? ORDER BY started_at, type',
    )
    .all(sessionId) as {
    id: string;
    type: string;
    started_at: string;
    ended_at: string | null;
    snapshot_id: string | null;
    details: string;
  }[];
}

function snapshotOf(snapshotId: string): Uint8Array {
  const row = store.raw.prepare('SELECT path, sha256 FROM snapshots WHERE id = ?').get(snapshotId) as {
    path: string;
    sha256: string;
  };
  const bytes = new Uint8Array(fs.readFileSync(row.path));
  expect(sha256(bytes)).toBe(row.sha256);
  return bytes;
}

function lockdown(type: LockdownWarning['type'], startedAtMs: number, durationMs: number): LockdownWarning {
  return {
    type,
    severity: 'medium',
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: new Date(startedAtMs + durationMs).toISOString(),
    durationMs,
    confidence: 1,
    detector: 'lockdown',
    details: {},
  };
}

beforeAll(async () => {
  store = await openLocalStore(path.join(temp.dir, 'vigil.db'));
});
afterAll(async () => {
  await store?.close();
  temp.cleanup();
});

describe('SessionProctor', () => {
  it('pauses for a break and resumes in the same session, with every warning stored once', async () => {
    const sessionId = newSession();
    const origin = 1_800_000_000_000;
    let now = origin;
    let listener: ((warning: LockdownWarning) => void) | undefined;
    const events: WarningEvent[] = [];
    const proctor = new SessionProctor({
      policy: defaultPolicy,
      analyzer: async () => emptyRoom,
      recorder: new WarningRecorder({
        store,
        sessionId,
        snapshotsDir: path.join(temp.dir, 'snapshots'),
        logger: silentLogger(),
      }),
      onWarning: (event) => events.push(event),
      subscribeLockdown: (l) => {
        listener = l;
        return () => (listener = undefined);
      },
      now: () => now,
    });
    const room = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const sent = new Map<number, string>();
    const frames = async (fromMs: number, toMs: number) => {
      for (let ms = fromMs; ms <= toMs; ms += 250) {
        now = origin + ms;
        const jpeg = new Uint8Array(
          await sharp(room)
            .jpeg({ quality: 50 + ((ms / 250) % 50) })
            .toBuffer(),
        );
        sent.set(ms, sha256(jpeg));
        expect((await proctor.frame(jpeg)).accepted).toBe(true);
        await settle();
      }
    };

    await proctor.start(null);
    await frames(0, 3000);
    listener!(lockdown('focus_lost', origin + 1000, 2000));

    now = origin + 3500;
    await proctor.pause();
    // During the break: no frame or audio is taken, leaving the window is no violation, but a
    // violation the rules do not weigh (a locked screen) is still stored as it came.
    now = origin + 5000;
    expect(await proctor.frame(new Uint8Array(await sharp(room).jpeg().toBuffer()))).toMatchObject({
      accepted: false,
      faces: null,
    });
    expect(proctor.audio([{ timestampMs: 0, levelDb: -20, voiceProbability: 0.9, trackLive: true }])).toEqual(
      {
        accepted: 0,
      },
    );
    listener!(lockdown('focus_lost', origin + 5000, 3000));
    listener!(lockdown('screen_locked', origin + 6000, 1000));

    now = origin + 10_000;
    await proctor.resume();
    await frames(10_000, 13_000);
    now = origin + 14_000;
    await proctor.end();
    expect(listener).toBeUndefined();
    // The risk at the finish is computed from what was stored: every weighed warning is a factor,
    // under the stored warning's id (screen_locked has no weight in the policy).
    const risk = sessionRisk(store, sessionId, defaultPolicy, new Date(origin + 14_000).toISOString());

    const rows = warnings(sessionId);
    expect(
      rows.map((w) => [w.type, Date.parse(w.started_at) - origin, Date.parse(w.ended_at!) - origin]),
    ).toEqual([
      ['no_face', 0, 3500], // ended by the break
      ['focus_lost', 1000, 3000],
      ['screen_locked', 6000, 7000],
      ['no_face', 10_000, 14_000], // the same session goes on after the break
    ]);
    expect(new Set(rows.map((w) => w.id)).size).toBe(4);
    // Each no_face keeps the JPEG of the frame that raised it, byte for byte.
    for (const w of rows.filter((r) => r.type === 'no_face')) {
      const raisedAtMs = (JSON.parse(w.details) as { raisedAtMs: number }).raisedAtMs;
      expect(sha256(snapshotOf(w.snapshot_id!))).toBe(sent.get(raisedAtMs));
    }
    expect(risk.factors.map((c) => c.type).sort()).toEqual(['focus_lost', 'no_face', 'no_face']);
    expect(risk.factors.map((f) => f.warningId).every((id) => rows.some((w) => w.id === id))).toBe(true);
    expect(events.filter((e) => e.warning.type === 'no_face').map((e) => e.kind)).toEqual([
      'raised',
      'ended',
      'raised',
      'ended',
    ]);
    // Each warning's start and end are in the evidence chain, under the stored warning's id.
    const chained = (
      store.raw
        .prepare(`SELECT kind, body FROM events WHERE session_id = ? AND kind LIKE 'warning_%'`)
        .all(sessionId) as { kind: string; body: string }[]
    ).map((e) => [e.kind, (JSON.parse(e.body) as { data: { warningId: string } }).data.warningId]);
    for (const w of rows) expect(chained).toContainEqual(['warning_ended', w.id]);
    for (const w of rows.filter((r) => r.type === 'no_face')) {
      expect(chained).toContainEqual(['warning_started', w.id]);
    }
  });
});

describe('WarningRecorder', () => {
  it('updates a warning when it ends and attaches the camera’s JPEG at its start to a warning without a frame', async () => {
    const sessionId = newSession();
    const recorder = new WarningRecorder({
      store,
      sessionId,
      snapshotsDir: path.join(temp.dir, 'snapshots'),
      logger: silentLogger(),
    });
    const base = { severity: 'medium' as const, confidence: 0.9, details: {} };
    // No camera frame yet: the warning is stored without a snapshot.
    recorder.record({
      ...base,
      type: 'mic_lost',
      startedAt: '2027-01-01T10:00:00.000Z',
      endedAt: null,
      snapshot: 'latest_frame',
    });
    const jpeg = new Uint8Array(
      await sharp({ create: { width: 32, height: 24, channels: 3, background: '#123456' } })
        .jpeg()
        .toBuffer(),
    );
    const later = new Uint8Array(
      await sharp({ create: { width: 32, height: 24, channels: 3, background: '#654321' } })
        .jpeg()
        .toBuffer(),
    );
    recorder.noteFrame(jpeg, Date.parse('2027-01-01T10:00:59.500Z'));
    recorder.noteFrame(later, Date.parse('2027-01-01T10:01:03.000Z'));
    const id = recorder.record({
      ...base,
      key: 'speech-1',
      type: 'speech_detected',
      startedAt: '2027-01-01T10:01:00.000Z',
      endedAt: null,
      snapshot: 'latest_frame',
    });
    const sameId = recorder.record({
      ...base,
      key: 'speech-1',
      type: 'speech_detected',
      startedAt: '2027-01-01T10:01:00.000Z',
      endedAt: '2027-01-01T10:01:04.000Z',
    });
    expect(sameId).toBe(id);
    // A lockdown focus loss arrives when it ends: it shows the camera at its start, not the latest frame.
    recorder.record({
      ...base,
      type: 'focus_lost',
      startedAt: '2027-01-01T10:01:02.000Z',
      endedAt: '2027-01-01T10:01:05.000Z',
      snapshot: 'latest_frame',
    });
    // Long after the last frame (the camera was off then): no frame shows that moment.
    recorder.record({
      ...base,
      type: 'focus_lost',
      startedAt: '2027-01-01T10:05:00.000Z',
      endedAt: '2027-01-01T10:05:02.000Z',
      snapshot: 'latest_frame',
    });
    const rows = warnings(sessionId);
    expect(rows.map((w) => [w.type, w.ended_at, w.snapshot_id === null])).toEqual([
      ['mic_lost', null, true],
      ['speech_detected', '2027-01-01T10:01:04.000Z', false],
      ['focus_lost', '2027-01-01T10:01:05.000Z', false],
      ['focus_lost', '2027-01-01T10:05:02.000Z', true],
    ]);
    expect(sha256(snapshotOf(rows[1]!.snapshot_id!))).toBe(sha256(jpeg));
    expect(sha256(snapshotOf(rows[2]!.snapshot_id!))).toBe(sha256(jpeg));
  });
});
