// A migrated central PostgreSQL for integration and fault suites: a throwaway cluster, the schema
// applied by the owner role, a shared device login (member of vigil_device) and helpers to enroll
// devices and create proctors with their own PostgreSQL logins.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  assignProctor,
  createDeviceLogin,
  createEnrollmentCode,
  createExam,
  createStaffLogin,
  createUser,
} from '../../src-main/central/admin';
import { openPostgres, type CentralStore } from '../../src-main/central/connect';
import { sqlDeviceChannel, type DeviceChannel } from '../../src-main/central/device-channel';
import { migrateCentral } from '../../src-main/central/migrate';
import { hardenPublicSurface } from '../../src-main/central/public-surface';
import { createTokenVaults } from '../../src-main/store/device-credentials';
import { openLocalStore } from '../../src-main/store/local-store';
import { enrollDevice } from '../../src-main/sync/enroll';
import { startPgBouncer, type PgBouncer } from './pgbouncer';
import { startPostgres, type PostgresCluster } from './postgres';

export const DEVICE_LOGIN = 'vigil_device_login';

export interface EnrolledTestDevice {
  candidateId: string;
  examId: string;
  deviceId: string;
  token: string;
}

export interface CentralFixture {
  pg: PostgresCluster;
  /** The PgBouncer (transaction pooling) the device login goes through, when asked for. */
  pooler?: PgBouncer;
  /** Connected as the migration owner (member of vigil_owner). */
  owner: CentralStore;
  /** Connected as the shared device login: may only EXECUTE the ingest functions. */
  device: CentralStore;
  channel: DeviceChannel;
  /** A SKL exam; `policy` e.g. a practice exam evaluated on the device. */
  createExam(title?: string, policy?: Record<string, unknown>): Promise<string>;
  enroll(examId?: string): Promise<EnrolledTestDevice>;
  createProctor(name: string, examIds: string[]): Promise<{ userId: string; store: CentralStore }>;
  close(): Promise<void>;
}

/** The shared device login's connection limit: every test device and app process uses it. */
export const DEVICE_LOGIN_CONNECTION_LIMIT = 50;

export async function startCentral(
  options: {
    maxConnections?: number;
    devicePoolSize?: number;
    /** Devices connect through PgBouncer in transaction-pooling mode (staff and owner directly). */
    pooler?: { poolSize?: number; maxClientConn?: number };
  } = {},
): Promise<CentralFixture> {
  const pg = await startPostgres({ maxConnections: options.maxConnections });
  const owner = openPostgres({ url: pg.url, sslMode: 'disable' });
  const extra: CentralStore[] = [];
  let pooler: PgBouncer | undefined;
  try {
    await migrateCentral(owner.db);
    // As in production after a DBA ran `vigil migrate` once as superuser: PUBLIC's surface closed.
    const superuser = openPostgres({ url: pg.adminUrl, sslMode: 'disable', maxConnections: 1 });
    try {
      await hardenPublicSurface(superuser.query);
    } finally {
      await superuser.close();
    }
    await createDeviceLogin(owner.db, {
      roleName: DEVICE_LOGIN,
      password: 'pw',
      connectionLimit: Math.max(DEVICE_LOGIN_CONNECTION_LIMIT, (options.devicePoolSize ?? 4) + 10),
    });
    if (options.pooler) pooler = await startPgBouncer(pg, options.pooler);
  } catch (error) {
    await owner.close();
    await pg.stop();
    throw error;
  }
  const device = openPostgres({
    url: (pooler ?? pg).urlFor(DEVICE_LOGIN),
    sslMode: 'disable',
    maxConnections: options.devicePoolSize ?? 4,
  });
  const channel = sqlDeviceChannel(device.query);
  const newExam = (title = 'Exam', policy?: Record<string, unknown>) =>
    createExam(owner.db, {
      title,
      type: 'SKL',
      difficulty: 5,
      keyQuestions: [{ question: 'Why?', time_limit_s: 60 }],
      ...(policy ? { policy } : {}),
    });
  return {
    pg,
    ...(pooler ? { pooler } : {}),
    owner,
    device,
    channel,
    createExam: newExam,
    enroll: async (examId) => {
      const exam = examId ?? (await newExam());
      const candidateId = await createUser(owner.db, {
        email: `${randomUUID()}@candidates.test`,
        role: 'candidate',
      });
      const { code } = await createEnrollmentCode(owner.db, { candidateId, examId: exam });
      const redemption = await channel.redeem(code, 'test device');
      return { candidateId, examId: exam, deviceId: redemption.deviceId, token: redemption.token };
    },
    createProctor: async (name, examIds) => {
      const userId = await createUser(owner.db, {
        email: `${name}@proctors.test`,
        role: 'proctor',
        displayName: name,
      });
      await createStaffLogin(owner.db, { userId, roleName: name, password: 'pw', group: 'vigil_proctor' });
      for (const examId of examIds) await assignProctor(owner.db, examId, userId);
      const store = openPostgres({ url: pg.urlFor(name), sslMode: 'disable', maxConnections: 2 });
      extra.push(store);
      return { userId, store };
    },
    close: async () => {
      for (const store of extra) await store.close();
      await device.close();
      await pooler?.stop();
      await owner.close();
      await pg.stop();
    },
  };
}

/**
 * A device with its own local store in `dir`, enrolled through the real code redemption for a new
 * candidate on `examId`: what the candidate runtime has after enrollment.
 */
export async function enrollLocalDevice(
  central: CentralFixture,
  input: { dir: string; examId: string; label: string; displayName?: string },
) {
  const candidateId = await createUser(central.owner.db, {
    email: `${randomUUID()}@x.test`,
    role: 'candidate',
    ...(input.displayName ? { displayName: input.displayName } : {}),
  });
  const { code } = await createEnrollmentCode(central.owner.db, { candidateId, examId: input.examId });
  fs.mkdirSync(input.dir, { recursive: true });
  const store = await openLocalStore(path.join(input.dir, 'vigil.db'));
  const vaults = createTokenVaults(input.dir);
  const { device, exam } = await enrollDevice({
    store,
    channel: central.channel,
    vaults,
    code,
    label: input.label,
  });
  const vault = vaults.forFile(device.tokenFile);
  return { store, vault, device, exam, candidateId, token: () => vault.load() };
}
