// 1,000 simulated devices syncing against one PostgreSQL server over loopback: each device (its own
// enrolled token) sends a batch (session start + 20 chained events + a warning) and one 32 KiB
// snapshot in chunks. Devices arrive spread over a few seconds, as after a shared network outage,
// through a pool of device connections. Measures per-call ingest latency (p50/p99) and errors.
import { randomBytes, randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import { hashEnrollmentCode } from '../../src-main/central/admin';
import { startCentral } from '../support/central';
import { chainedEvents, sessionStart, warningItem } from '../support/items';
import { percentile, writeBenchResult } from './support/result';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 1000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 10_000);
const POOL = Number(process.env.BENCH_POOL ?? 40);

const central = await startCentral({ maxConnections: POOL + 20, devicePoolSize: POOL });
try {
  const examId = await central.createExam('load');
  // Bulk-create candidates and one-time codes as the owner, then redeem each code as a device would.
  const codes = Array.from({ length: DEVICES }, (_, i) => `LOAD${String(i).padStart(8, '0')}`);
  await sql`INSERT INTO vigil.users(role, email) SELECT 'candidate', 'load' || g || '@x.test' FROM generate_series(1, ${DEVICES}) g`.execute(
    central.owner.db,
  );
  const users = await central.owner.db
    .selectFrom('vigil.users')
    .select('id')
    .where('email', 'like', 'load%')
    .orderBy('email')
    .execute();
  await central.owner.db
    .insertInto('vigil.enrollments')
    .values(
      users.map((u, i) => ({
        candidate_id: u.id,
        exam_id: examId,
        code_hash: hashEnrollmentCode(codes[i]!),
        expires_at: new Date(Date.now() + 3_600_000),
        created_by: null,
      })),
    )
    .execute();
  const tokens: string[] = [];
  for (let i = 0; i < DEVICES; i += POOL) {
    const redeemed = await Promise.all(
      codes.slice(i, i + POOL).map((code) => central.channel.redeem(code, 'load')),
    );
    tokens.push(...redeemed.map((r) => r.token));
  }

  const ingestMs: number[] = [];
  const blobMs: number[] = [];
  let errors = 0;
  const snapshot = randomBytes(32 * 1024);
  const snapshotSha = createHash('sha256').update(snapshot).digest('hex');
  const timed = async <T>(into: number[], fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      into.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(
    tokens.map(async (token, i) => {
      await new Promise((r) => setTimeout(r, (i / DEVICES) * WINDOW_MS));
      try {
        const sessionId = randomUUID();
        const receipts = await timed(ingestMs, () =>
          central.channel.ingest(token, [
            sessionStart(sessionId),
            ...chainedEvents(sessionId, 20).items,
            warningItem(sessionId),
          ]),
        );
        if (receipts.some((r) => r.status !== 'applied')) errors++;
        const blobId = randomUUID();
        await timed(blobMs, () =>
          central.channel.blobBegin(token, {
            id: blobId,
            sessionId,
            kind: 'snapshot',
            sha256: snapshotSha,
            size: snapshot.length,
            contentType: 'image/jpeg',
          }),
        );
        await timed(blobMs, () => central.channel.blobChunk(token, blobId, 0, snapshot, snapshotSha));
        await timed(blobMs, () => central.channel.blobFinish(token, blobId));
      } catch (error) {
        errors++;
        process.stderr.write(`device ${i}: ${(error as Error).message}\n`);
      }
    }),
  );
  const totalSeconds = (performance.now() - t0) / 1000;
  const events = await sql<{ n: string }>`SELECT count(*) AS n FROM vigil.events`.execute(central.owner.db);
  const p99 = percentile(ingestMs, 99);
  writeBenchResult({
    // The CI/dev machine is shared: the 1-minute load average says how contended this run was.
    name: 'devices',
    figures: {
      loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
      devices: DEVICES,
      arrivalWindowSeconds: WINDOW_MS / 1000,
      devicePoolConnections: POOL,
      ingestCalls: ingestMs.length,
      ingestP50Ms: Number(percentile(ingestMs, 50).toFixed(1)),
      ingestP99Ms: Number(p99.toFixed(1)),
      blobCallP50Ms: Number(percentile(blobMs, 50).toFixed(1)),
      blobCallP99Ms: Number(percentile(blobMs, 99).toFixed(1)),
      eventsStored: Number(events.rows[0]?.n),
      errors,
      totalSeconds: Number(totalSeconds.toFixed(1)),
    },
    goals: {
      ingestP99: { target: 'p99 <= 200 ms', met: p99 <= 200 },
      zeroErrors: { target: '0 errors', met: errors === 0 },
    },
    notes:
      'Each ingest call carries 22 items (session start, 20 chained events, 1 warning) for one device token; latency ' +
      'includes waiting for a pooled connection. Devices arrive evenly over the window.',
  });
} finally {
  await central.close();
}
