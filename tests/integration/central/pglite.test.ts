// The embedded central store: PGlite with the very same migrations, the thin kysely dialect, and the
// device ingest path (enrollment, items, chain verdict, chunked blob). PGlite runs as a single
// superuser, so roles exist but row-level security is not exercised here (see the PostgreSQL suites).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, createExam, createUser } from '../../../src-main/central/admin';
import { openPglite, type CentralStore } from '../../../src-main/central/connect';
import { sqlDeviceChannel } from '../../../src-main/central/device-channel';
import { centralMigrations } from '../../../migrations/central/index';
import { migrateCentral, type MigrationReport } from '../../../src-main/central/migrate';
import { chainedEvents, sessionStart, sha256Hex } from '../../support/items';

let central: CentralStore;
let upgrade: MigrationReport;
beforeAll(async () => {
  central = await openPglite();
  // A server upgraded from a release that had later ranges (0200) but not this 0102 and 0201.
  const {
    '0102_single_verdict_audit': _audit,
    '0201_missing_app_build': _missing,
    ...older
  } = centralMigrations;
  await migrateCentral(central.db, older);
  upgrade = await migrateCentral(central.db);
}, 300_000);
afterAll(async () => {
  await central?.close();
});

describe('PGlite embedded central', () => {
  it('applies migrations of an earlier range that a newer release brings (numbered per capability)', () => {
    expect(upgrade.applied).toEqual(['0102_single_verdict_audit', '0201_missing_app_build']);
    expect(upgrade.current).toEqual(Object.keys(centralMigrations).sort());
  });

  it('runs the same migrations and the device ingest path', async () => {
    const db = central.db;
    const channel = sqlDeviceChannel(central.query);
    const candidateId = await createUser(db, { email: 'c@x.test', role: 'candidate' });
    const examId = await createExam(db, { title: 'Embedded', type: 'GEN', difficulty: 4 });
    const { code } = await createEnrollmentCode(db, { candidateId, examId });
    const { token } = await channel.redeem(code, 'embedded');
    const sessionId = randomUUID();
    const receipts = await channel.ingest(token, [
      sessionStart(sessionId),
      ...chainedEvents(sessionId, 5).items,
    ]);
    expect(receipts.map((r) => r.status)).toEqual(Array(6).fill('applied'));
    expect((await channel.ingest(token, chainedEvents(sessionId, 2).items)).map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
    ]);
    const session = await db
      .selectFrom('vigil.sessions')
      .select(['chain_seq', 'evidence_verdict'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ chain_seq: 5, evidence_verdict: 'intact' });

    const data = Buffer.from('embedded blob '.repeat(1000));
    const blobId = randomUUID();
    await channel.blobBegin(token, {
      id: blobId,
      sessionId,
      kind: 'pdf',
      sha256: sha256Hex(data),
      size: data.length,
      contentType: 'application/pdf',
    });
    await channel.blobChunk(token, blobId, 0, data.subarray(0, 5000), sha256Hex(data.subarray(0, 5000)));
    await expect(
      channel.blobChunk(token, blobId, 0, data.subarray(0, 10), sha256Hex(data.subarray(0, 10))),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await channel.blobChunk(token, blobId, 5000, data.subarray(5000), sha256Hex(data.subarray(5000)));
    expect(await channel.blobFinish(token, blobId)).toMatchObject({
      sha256: sha256Hex(data),
      size: data.length,
    });

    // Deletion rules hold here too.
    await db.deleteFrom('vigil.users').where('id', '=', candidateId).execute();
    expect(await db.selectFrom('vigil.sessions').select('id').where('id', '=', sessionId).execute()).toEqual(
      [],
    );
    expect(await db.selectFrom('vigil.blobs').select('id').execute()).toEqual([]);
  });
});
