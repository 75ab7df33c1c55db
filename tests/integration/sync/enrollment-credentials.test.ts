// Several enrollments on one installation, against a real PostgreSQL: every item and file goes up
// with the token of the enrollment its session was started under, never another's. Enrolling an
// exam again gives new sessions the new enrollment while the earlier session keeps its own; an
// enrollment that expired on the device, or that the server refuses, has its items held with the
// reason while the other enrollments' items still go.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, createUser, revokeDevice } from '../../../src-main/central/admin';
import type { DeviceChannel } from '../../../src-main/central/device-channel';
import { registerBlob } from '../../../src-main/store/blob-uploads';
import { createTokenVaults } from '../../../src-main/store/device-credentials';
import { loadEnrollments } from '../../../src-main/store/enrollments';
import { appendEvent } from '../../../src-main/store/event-chain';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { recordWarning, startSession } from '../../../src-main/store/sessions';
import { enrollmentCredential } from '../../../src-main/sync/credentials';
import { enrollDevice } from '../../../src-main/sync/enroll';
import { readSyncStatus, Uploader } from '../../../src-main/sync/uploader';
import { startCentral, type CentralFixture } from '../../support/central';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir('vigil-enrollment-credentials-');
let central: CentralFixture;
beforeAll(async () => {
  central = await startCentral();
}, 120_000);
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

/** The device channel, noting which token each item and file was sent with. */
function recordingChannel(inner: DeviceChannel) {
  const sent: { token: string; what: string }[] = [];
  const channel: DeviceChannel = {
    ...inner,
    ingest: async (token, items) => {
      for (const item of items) sent.push({ token, what: item.key });
      return inner.ingest(token, items);
    },
    blobBegin: async (token, meta) => {
      sent.push({ token, what: `blob:${meta.id}` });
      return inner.blobBegin(token, meta);
    },
    blobChunk: async (token, id, ...rest) => {
      sent.push({ token, what: `blob:${id}` });
      return inner.blobChunk(token, id, ...rest);
    },
    blobFinish: async (token, id) => {
      sent.push({ token, what: `blob:${id}` });
      return inner.blobFinish(token, id);
    },
  };
  return { channel, sent };
}

/** A few events, a warning and a small file of a session. */
function record(store: LocalStore, sessionId: string, dir: string, tag: string): string {
  const file = path.join(dir, `${tag}-${randomUUID()}.jpg`);
  fs.writeFileSync(file, Buffer.from(`snapshot of ${tag}`));
  const bytes = fs.readFileSync(file);
  const blobId = randomUUID();
  store.write('session data', (tx) => {
    for (let i = 0; i < 3; i++) appendEvent(tx, { sessionId, kind: 'gaze', data: { tag, i } });
    recordWarning(tx, {
      sessionId,
      type: 'looking_away',
      severity: 'low',
      startedAt: new Date().toISOString(),
    });
    registerBlob(tx, {
      id: blobId,
      sessionId,
      kind: 'snapshot',
      path: file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      contentType: 'image/jpeg',
      deleteAfterUpload: false,
    });
  });
  return blobId;
}

describe('one installation, several enrollments', () => {
  it('sends each session with the token of the enrollment it started under, and holds what has none', async () => {
    const dir = temp.dir;
    const store = await openLocalStore(path.join(dir, 'vigil.db'));
    const vaults = createTokenVaults(dir);
    const db = central.owner.db;
    const candidateId = await createUser(db, { email: 'lin@candidates.test', role: 'candidate' });
    const examA = await central.createExam('Exam A');
    const examB = await central.createExam('Exam B');
    const enroll = async (examId: string) => {
      const { code } = await createEnrollmentCode(db, { candidateId, examId });
      return (await enrollDevice({ store, channel: central.channel, vaults, code, label: 'one laptop' }))
        .device;
    };
    const a1 = await enroll(examA);
    const b = await enroll(examB);
    expect(a1.tokenFile).toBe('device-token'); // the first enrollment keeps the single-device file
    expect(b.tokenFile).not.toBe(a1.tokenFile);
    const tokenOf = new Map<string, string>(
      [a1, b].map((e) => [vaults.forFile(e.tokenFile).load()!, e.deviceId]),
    );

    const { channel, sent } = recordingChannel(central.channel);
    const uploader = new Uploader({
      store,
      channel,
      token: (deviceId) => enrollmentCredential(store, vaults, deviceId),
    });
    const sessionA = store.write('start', (tx) => startSession(tx, { examId: examA }));
    const sessionB = store.write('start', (tx) => startSession(tx, { examId: examB }));
    const deviceOf = new Map<string, string>([
      [sessionA, a1.deviceId],
      [sessionB, b.deviceId],
    ]);
    const blobs = new Map<string, string>([
      [record(store, sessionA, dir, 'a'), sessionA],
      [record(store, sessionB, dir, 'b'), sessionB],
    ]);
    const first = await uploader.syncOnce();
    expect(first.rejected).toBe(0);
    expect(first.blobs).toBe(2);

    // Every item and file went with its own session's enrollment token.
    const sessionOfSent = (what: string): string => {
      if (what.startsWith('blob:')) return blobs.get(what.slice(5))!;
      const match = [...deviceOf.keys()].find((s) => what.includes(s));
      if (match) return match;
      // Warnings are keyed by their own id: find the session through the local row.
      const id = what.split(':')[1]!;
      return (
        store.raw.prepare('SELECT session_id FROM warnings WHERE id = ?').get(id) as {
          session_id: string;
        }
      ).session_id;
    };
    const checkSent = () => {
      expect(sent.length).toBeGreaterThan(0);
      for (const { token, what } of sent.splice(0))
        expect(tokenOf.get(token), what).toBe(deviceOf.get(sessionOfSent(what)));
    };
    checkSent();

    // Exam A enrolled again: a new current enrollment for A; B and A's earlier session keep theirs.
    const a2 = await enroll(examA);
    tokenOf.set(vaults.forFile(a2.tokenFile).load()!, a2.deviceId);
    expect(loadEnrollments(store).map((e) => e.deviceId)).toEqual([a2.deviceId, b.deviceId]);
    expect(vaults.forFile(a1.tokenFile).load()).toBeDefined();
    const sessionA2 = store.write('start', (tx) => startSession(tx, { examId: examA }));
    deviceOf.set(sessionA2, a2.deviceId);
    blobs.set(record(store, sessionA, dir, 'a-late'), sessionA);
    blobs.set(record(store, sessionA2, dir, 'a2'), sessionA2);
    const second = await uploader.syncOnce();
    expect(second.rejected).toBe(0);
    checkSent();
    const filed = await central.owner.query<{ id: string; device_id: string; exam_id: string }>(
      `SELECT id, device_id, exam_id FROM vigil.sessions WHERE id = ANY($1)`,
      [[sessionA, sessionB, sessionA2]],
    );
    expect(Object.fromEntries(filed.map((s) => [s.id, [s.device_id, s.exam_id]]))).toEqual({
      [sessionA]: [a1.deviceId, examA],
      [sessionB]: [b.deviceId, examB],
      [sessionA2]: [a2.deviceId, examA],
    });
    const blobDevices = await central.owner.query<{ session_id: string; device_id: string }>(
      `SELECT DISTINCT session_id, device_id FROM vigil.blobs WHERE session_id = ANY($1)`,
      [[sessionA, sessionB, sessionA2]],
    );
    for (const row of blobDevices) expect(row.device_id).toBe(deviceOf.get(row.session_id));

    // A's first enrollment expired on this device: its session's new data is held, B's still goes.
    store.raw
      .prepare('UPDATE enrollments SET expires_at = ? WHERE device_id = ?')
      .run(new Date(Date.now() - 1000).toISOString(), a1.deviceId);
    record(store, sessionA, dir, 'a-expired');
    const bEvents = store.write('more', (tx) => appendEvent(tx, { sessionId: sessionB, kind: 'gaze' }));
    await uploader.syncOnce();
    checkSent();
    const held = uploader.status().held;
    expect(held).toEqual([expect.objectContaining({ deviceId: a1.deviceId, items: 5, blobs: 1 }) as unknown]);
    expect(held[0]!.reason).toMatch(/expired/);
    expect(readSyncStatus(store).held).toEqual(held); // what `vigil sync status` prints
    const bSeq = await central.owner.query<{ chain_seq: number }>(
      'SELECT chain_seq FROM vigil.sessions WHERE id = $1',
      [sessionB],
    );
    expect(bSeq[0]!.chain_seq).toBe(bEvents.seq);

    // The server revokes B's device row: B's items are held with the server's reason, A2's go.
    await revokeDevice(db, b.deviceId);
    store.write('more', (tx) => appendEvent(tx, { sessionId: sessionB, kind: 'gaze' }));
    const a2Event = store.write('more', (tx) => appendEvent(tx, { sessionId: sessionA2, kind: 'gaze' }));
    await uploader.syncOnce();
    checkSent();
    expect(
      uploader
        .status()
        .held.map((h) => h.deviceId)
        .sort(),
    ).toEqual([a1.deviceId, b.deviceId].sort());
    expect(uploader.status().held.find((h) => h.deviceId === b.deviceId)?.reason).toMatch(/refused/);
    const a2Seq = await central.owner.query<{ chain_seq: number }>(
      'SELECT chain_seq FROM vigil.sessions WHERE id = $1',
      [sessionA2],
    );
    expect(a2Seq[0]!.chain_seq).toBe(a2Event.seq);
    await store.close();
  }, 120_000);
});
