// Many simulated devices against one central server, for the devices benchmark and its short CI
// version. Each device goes through the real device channel (src-main/central/device-channel.ts over
// openPostgres, as the app does): it sends a batch (session start + 20 chained events + a warning),
// one 32 KiB snapshot, and one recording in chunks at the pace the default bitrate produces them
// (1.064 Mbit/s ≈ 133 KB/s: a 1 MiB chunk every ~8 s). Devices arrive spread over a window. With
// `perDeviceConnection` each device has its own connection (what 10,000 real devices are to a
// pooler); otherwise they share one pool (a single client process in front of PostgreSQL).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import { hashEnrollmentCode } from '../../src-main/central/admin';
import { openPostgres, type CentralStore } from '../../src-main/central/connect';
import { sqlDeviceChannel, type DeviceChannel } from '../../src-main/central/device-channel';
import { percentile } from '../bench/support/result';
import { DEVICE_LOGIN, type CentralFixture } from './central';
import { chainedEvents, sessionStart, warningItem } from './items';

export interface DeviceLoadOptions {
  devices: number;
  /** Devices arrive evenly over this window. */
  arrivalWindowMs: number;
  /** Chunks in each device's recording, sent `chunkIntervalMs` apart. */
  recordingChunks: number;
  chunkBytes: number;
  chunkIntervalMs: number;
  /** Each device its own connection to this URL (e.g. through PgBouncer); else the fixture's pool. */
  perDeviceConnection?: { url: string };
  /** The shared channel when not per device (default: the fixture's device login). */
  channel?: DeviceChannel;
  /** Label prefix of the enrolled devices (several runs can share one server). */
  label: string;
}

export interface DeviceLoadResult {
  devices: number;
  ingestCalls: number;
  ingestP50Ms: number;
  ingestP99Ms: number;
  /** Per-device connections: the login (TCP + SCRAM through the pooler), before the first call. */
  logins: number;
  loginP50Ms: number;
  loginP99Ms: number;
  blobCalls: number;
  blobCallP50Ms: number;
  blobCallP99Ms: number;
  errors: number;
  /** Rows the devices were told were stored but are not there (events, completed blobs). */
  lostRows: number;
  eventsStored: number;
  blobsComplete: number;
  /** Peak of PostgreSQL client backends of the device login (pg_stat_activity, sampled). */
  peakDeviceBackends: number;
  /** Peak of all PostgreSQL login sessions (device login, PgBouncer's auth user, the owner's). */
  peakAllBackends: number;
  peakLoadAverage1m: number;
  totalSeconds: number;
  firstError?: string;
}

const SNAPSHOT_BYTES = 32 * 1024;

/** Enrolls `count` devices for one exam: codes and candidates in bulk, each code redeemed by a device. */
export async function enrollMany(
  central: CentralFixture,
  count: number,
  label: string,
  channel: DeviceChannel = central.channel,
): Promise<string[]> {
  const examId = await central.createExam(`load ${label}`);
  const codes = Array.from(
    { length: count },
    (_, i) => `${label.toUpperCase()}${String(i).padStart(8, '0')}`,
  );
  await sql`INSERT INTO vigil.users(role, email)
    SELECT 'candidate', ${label} || '-' || lpad(g::text, 8, '0') || '@load.test' FROM generate_series(0, ${count - 1}) g`.execute(
    central.owner.db,
  );
  const users = await central.owner.db
    .selectFrom('vigil.users')
    .select('id')
    .where('email', 'like', `${label}-%@load.test`)
    .orderBy('email')
    .execute();
  for (let i = 0; i < count; i += 2000)
    await central.owner.db
      .insertInto('vigil.enrollments')
      .values(
        users.slice(i, i + 2000).map((u, j) => ({
          candidate_id: u.id,
          exam_id: examId,
          code_hash: hashEnrollmentCode(codes[i + j]!),
          expires_at: new Date(Date.now() + 3_600_000),
          created_by: null,
        })),
      )
      .execute();
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 40) {
    const redeemed = await Promise.all(codes.slice(i, i + 40).map((code) => channel.redeem(code, label)));
    tokens.push(...redeemed.map((r) => r.token));
  }
  return tokens;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function runDeviceLoad(
  central: CentralFixture,
  tokens: string[],
  options: DeviceLoadOptions,
): Promise<DeviceLoadResult> {
  const ingestMs: number[] = [];
  const blobMs: number[] = [];
  const connectMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let confirmedEvents = 0;
  let confirmedBlobs = 0;
  const snapshot = randomBytes(SNAPSHOT_BYTES);
  const snapshotSha = sha256(snapshot);
  // One recording's bytes, shared by all devices (the server keys blobs by id, not content).
  const chunks = Array.from({ length: options.recordingChunks }, () => randomBytes(options.chunkBytes));
  const chunkShas = chunks.map(sha256);
  const recordingSha = sha256(Buffer.concat(chunks));
  const recordingSize = options.recordingChunks * options.chunkBytes;
  const timed = async <T>(into: number[], fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      into.push(performance.now() - t);
    }
  };

  let peakBackends = 0;
  let peakAll = 0;
  let peakLoad = os.loadavg()[0]!;
  const countBackends = async () => {
    const [row] = await central.owner.query<{ n: number; all: number }>(
      `SELECT count(*) FILTER (WHERE usename = $1)::int AS n, count(usename)::int AS all FROM pg_stat_activity`,
      [DEVICE_LOGIN],
    );
    peakBackends = Math.max(peakBackends, row?.n ?? 0);
    peakAll = Math.max(peakAll, row?.all ?? 0);
    peakLoad = Math.max(peakLoad, os.loadavg()[0]!);
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await countBackends().catch(() => undefined);
      await sleep(250);
    }
  })();

  const stores: CentralStore[] = [];
  const t0 = performance.now();
  try {
    await Promise.all(
      tokens.map(async (token, i) => {
        await sleep((i / tokens.length) * options.arrivalWindowMs);
        let channel = options.channel ?? central.channel;
        if (options.perDeviceConnection) {
          // A device's own connection, as the app opens it (one at a time is all a device uses).
          const store = openPostgres({
            url: options.perDeviceConnection.url,
            sslMode: 'disable',
            maxConnections: 1,
          });
          stores.push(store);
          channel = sqlDeviceChannel(store.query);
          // The login on its own (SCRAM through the pooler), so ingest latency is the call itself.
          try {
            await timed(connectMs, () => store.query('SELECT 1'));
          } catch (error) {
            errors++;
            firstError ??= `device ${i} login: ${(error as Error).message}`;
            return;
          }
        }
        try {
          const sessionId = randomUUID();
          const receipts = await timed(ingestMs, () =>
            channel.ingest(token, [
              sessionStart(sessionId),
              ...chainedEvents(sessionId, 20).items,
              warningItem(sessionId),
            ]),
          );
          if (receipts.length !== 22 || receipts.some((r) => r.status !== 'applied'))
            throw new Error('not applied');
          confirmedEvents += 20;
          const upload = async (
            meta: { kind: string; sha: string; size: number; type: string },
            parts: Buffer[],
            shas: string[],
            gapMs: number,
          ) => {
            const blobId = randomUUID();
            await timed(blobMs, () =>
              channel.blobBegin(token, {
                id: blobId,
                sessionId,
                kind: meta.kind,
                sha256: meta.sha,
                size: meta.size,
                contentType: meta.type,
              }),
            );
            let offset = 0;
            for (const [n, part] of parts.entries()) {
              if (n > 0) await sleep(gapMs);
              const answer = await timed(blobMs, () =>
                channel.blobChunk(token, blobId, offset, part, shas[n]!),
              );
              offset = answer.offset;
            }
            const receipt = await timed(blobMs, () => channel.blobFinish(token, blobId));
            if (receipt.size !== meta.size) throw new Error('blob size mismatch');
            confirmedBlobs++;
          };
          await upload(
            { kind: 'snapshot', sha: snapshotSha, size: snapshot.length, type: 'image/jpeg' },
            [snapshot],
            [snapshotSha],
            0,
          );
          await upload(
            { kind: 'video', sha: recordingSha, size: recordingSize, type: 'video/webm' },
            chunks,
            chunkShas,
            options.chunkIntervalMs,
          );
        } catch (error) {
          errors++;
          firstError ??= `device ${i}: ${(error as Error).message}`;
        }
      }),
    );
  } finally {
    sampling = false;
    await sampler;
    await Promise.all(stores.map((s) => s.close()));
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  const [stored] = await central.owner.query<{ events: number; blobs: number }>(
    `SELECT (SELECT count(*)::int FROM vigil.events e JOIN vigil.sessions s ON s.id = e.session_id
               JOIN vigil.devices d ON d.id = s.device_id WHERE d.label = $1 AND e.kind = 'gaze') AS events,
            (SELECT count(*)::int FROM vigil.blobs b JOIN vigil.devices d ON d.id = b.device_id
               WHERE d.label = $1 AND b.status = 'complete') AS blobs`,
    [options.label],
  );
  const eventsStored = stored?.events ?? 0;
  const blobsComplete = stored?.blobs ?? 0;
  const round = (n: number) => Number(n.toFixed(1));
  return {
    devices: tokens.length,
    ingestCalls: ingestMs.length,
    ingestP50Ms: round(percentile(ingestMs, 50)),
    ingestP99Ms: round(percentile(ingestMs, 99)),
    logins: connectMs.length,
    loginP50Ms: round(percentile(connectMs, 50)),
    loginP99Ms: round(percentile(connectMs, 99)),
    blobCalls: blobMs.length,
    blobCallP50Ms: round(percentile(blobMs, 50)),
    blobCallP99Ms: round(percentile(blobMs, 99)),
    errors,
    lostRows: Math.max(0, confirmedEvents - eventsStored) + Math.max(0, confirmedBlobs - blobsComplete),
    eventsStored,
    blobsComplete,
    peakDeviceBackends: peakBackends,
    peakAllBackends: peakAll,
    peakLoadAverage1m: round(peakLoad),
    totalSeconds: round(totalSeconds),
    ...(firstError ? { firstError } : {}),
  };
}
