// Sync over TLS with sslmode=verify-full, as a real deployment runs it: a PostgreSQL server with a
// certificate from a throwaway CA, the device login connecting with that CA file, enrollment and
// an upload round trip, the server confirming the session is encrypted. Without the CA the
// connection is refused rather than silently downgraded.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeviceLogin,
  createEnrollmentCode,
  createExam,
  createUser,
} from '../../../src-main/central/admin';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { sqlDeviceChannel } from '../../../src-main/central/device-channel';
import { migrateCentral } from '../../../src-main/central/migrate';
import { createTokenVault, createTokenVaults } from '../../../src-main/store/device-credentials';
import { appendEvent } from '../../../src-main/store/event-chain';
import { openLocalStore } from '../../../src-main/store/local-store';
import { startSession } from '../../../src-main/store/sessions';
import { enrollDevice } from '../../../src-main/sync/enroll';
import { Uploader } from '../../../src-main/sync/uploader';
import { startTlsCluster, type TlsCluster } from '../../support/pg-tls-cluster';
import { makeTempDir } from '../../support/temp-dir';

let cluster: TlsCluster;
let owner: CentralStore;
const stores: CentralStore[] = [];
const temp = makeTempDir();
const DEVICE_LOGIN = 'vigil_tls_device';

beforeAll(async () => {
  cluster = await startTlsCluster();
  // The throwaway cluster trusts local logins (no passwords); TLS is what is under test.
  owner = openPostgres({
    url: `postgresql://postgres@127.0.0.1:${cluster.port}/postgres`,
    sslMode: 'verify-full',
    caFile: cluster.caFile,
  });
  await migrateCentral(owner.db);
  // The one path that makes logins (vigil.create_login); the password is unused under trust auth.
  await createDeviceLogin(owner.db, { roleName: DEVICE_LOGIN, password: 'unused' });
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await owner?.close();
  cluster?.stop();
  temp.cleanup();
});

function deviceStore(options: { caFile?: string }): CentralStore {
  const store = openPostgres({
    url: `postgresql://${DEVICE_LOGIN}@127.0.0.1:${cluster.port}/postgres`,
    sslMode: 'verify-full',
    ...options,
    maxConnections: 2,
  });
  stores.push(store);
  return store;
}

describe('sync over TLS (sslmode=verify-full)', () => {
  it('enrolls and uploads through a verified TLS connection', async () => {
    const examId = await createExam(owner.db, {
      title: 'TLS exam',
      type: 'GEN',
      difficulty: 3,
      keyQuestions: [{ question: 'Why?', time_limit_s: 60 }],
    });
    const candidateId = await createUser(owner.db, { email: `${randomUUID()}@x.test`, role: 'candidate' });
    const { code } = await createEnrollmentCode(owner.db, { candidateId, examId });
    const device = deviceStore({ caFile: cluster.caFile });
    const channel = sqlDeviceChannel(device.query);
    const dir = path.join(temp.dir, 'tls');
    fs.mkdirSync(dir);
    const store = await openLocalStore(path.join(dir, 'vigil.db'));
    const { device: enrolled } = await enrollDevice({
      store,
      channel,
      vaults: createTokenVaults(dir),
      code,
      label: 'tls',
    });
    const vault = createTokenVault(dir, undefined, { file: enrolled.tokenFile });
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
    store.write('events', (tx) => {
      for (let i = 0; i < 5; i++) appendEvent(tx, { sessionId, kind: 'gaze', data: { i } });
    });
    const round = await new Uploader({ store, channel, token: () => vault.load() }).syncOnce();
    expect(round.rejected).toBe(0);
    expect(round.applied).toBeGreaterThanOrEqual(6);

    const stored = await sql<{ chain_seq: number; evidence_verdict: string }>`
      SELECT chain_seq, evidence_verdict FROM vigil.sessions WHERE id = ${sessionId}`.execute(owner.db);
    expect(stored.rows[0]).toMatchObject({ evidence_verdict: 'intact' });
    expect(stored.rows[0]!.chain_seq).toBeGreaterThanOrEqual(5);
    // The server's own view of the device's connections: every one is TLS.
    const ssl = await sql<{ ssl: boolean; version: string }>`
      SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid
      WHERE a.usename = ${DEVICE_LOGIN}`.execute(owner.db);
    expect(ssl.rows.length).toBeGreaterThan(0);
    expect(ssl.rows.every((r) => r.ssl && /^TLSv1\.[23]$/.test(r.version))).toBe(true);
    await store.close();
  });

  it('refuses a server certificate it cannot verify (no CA file) instead of downgrading', async () => {
    const channel = sqlDeviceChannel(deviceStore({}).query);
    const refused = channel.fetchExam('a'.repeat(64));
    await expect(refused).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(refused).rejects.toThrow(/certificate/i);
  });
});
