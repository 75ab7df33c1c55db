// vigil.ingest as the device login, batch shapes the uploader produces and ones it should never
// produce: mixed runs of events and other items, a run holding one bad event (it alone is
// rejected, the rest of the run applied), another device's session inside a run, a resent batch
// (all duplicates) and a changed event for a stored sequence number (flags the session altered).
// Last, 0006 is undone and applied again the way an existing database meets it: after 0100.
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as m0006 from '../../../migrations/central/0006_set_based_ingest';
import type { IngestItem } from '../../../src-main/central/device-channel';
import { migrateCentral } from '../../../src-main/central/migrate';
import { canonicalJson } from '../../../src-main/store/canonical-json';
import { startCentral, type CentralFixture, type EnrolledTestDevice } from '../../support/central';

let central: CentralFixture;
beforeAll(async () => {
  central = await startCentral();
});
afterAll(async () => {
  await central?.close();
});

/** A client-side chain for one session, producing ingest items the way event-chain.ts does. */
function chain(sessionId: string) {
  let head = Buffer.alloc(32);
  let seq = 0;
  return (kind = 'gaze', data: unknown = { yaw: 0.1 }): IngestItem => {
    seq++;
    const body = canonicalJson({ sessionId, seq, kind, at: new Date().toISOString(), data });
    const hash = createHash('sha256').update(head).update(body, 'utf8').digest();
    const item = {
      key: `event:${sessionId}:${seq}`,
      kind: 'event',
      payload: { body, prevHash: head.toString('hex'), hash: hash.toString('hex') },
    };
    head = hash;
    return item;
  };
}

async function sessionRow(id: string) {
  const r = await sql<{ chain_seq: number; evidence_verdict: string; events: string }>`
    SELECT chain_seq, evidence_verdict, (SELECT count(*) FROM vigil.events e WHERE e.session_id = s.id) AS events
    FROM vigil.sessions s WHERE id = ${id}`.execute(central.owner.db);
  return r.rows[0];
}

function start(id: string): IngestItem {
  return { key: `session.start:${id}`, kind: 'session.start', payload: { id } };
}

describe('vigil.ingest batches', () => {
  let device: EnrolledTestDevice;
  beforeAll(async () => {
    device = await central.enroll();
  });

  it('applies mixed runs in order and answers one receipt per item; a resent batch is all duplicates', async () => {
    const sid = randomUUID();
    const next = chain(sid);
    const warning: IngestItem = {
      key: `warning:${randomUUID()}`,
      kind: 'warning',
      payload: {
        id: randomUUID(),
        sessionId: sid,
        type: 'gaze_away',
        severity: 'low',
        startedAt: new Date().toISOString(),
      },
    };
    const items = [start(sid), next(), next(), warning, next(), next(), next()];
    const receipts = await central.channel.ingest(device.token, items);
    expect(receipts.map((r) => [r.key, r.status])).toEqual(items.map((i) => [i.key, 'applied']));
    expect(await sessionRow(sid)).toMatchObject({ chain_seq: 5, evidence_verdict: 'intact', events: '5' });

    const again = await central.channel.ingest(device.token, items);
    expect(again.map((r) => r.status)).toEqual(items.map(() => 'duplicate'));
    expect(await sessionRow(sid)).toMatchObject({ chain_seq: 5, events: '5' });
  });

  it('a run with one malformed event rejects that event alone and applies the rest', async () => {
    const sid = randomUUID();
    const next = chain(sid);
    await central.channel.ingest(device.token, [start(sid)]);
    const good1 = next();
    const bad = { ...next(), payload: { body: '{not json', prevHash: '00', hash: 'zz' } };
    const good3 = next();
    const receipts = await central.channel.ingest(device.token, [good1, bad, good3]);
    expect(receipts.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(receipts[1]?.reason).toBeTruthy();
    // Seq 2 never arrived in a usable form: the chain stops at 1 and the session is incomplete.
    expect(await sessionRow(sid)).toMatchObject({
      chain_seq: 1,
      evidence_verdict: 'incomplete',
      events: '2',
    });
  });

  it("an event for another device's session inside a run is rejected; the device's own events apply", async () => {
    const other = await central.enroll();
    const theirs = randomUUID();
    await central.channel.ingest(other.token, [start(theirs)]);
    const mine = randomUUID();
    await central.channel.ingest(device.token, [start(mine)]);
    const nextMine = chain(mine);
    const nextTheirs = chain(theirs);
    const receipts = await central.channel.ingest(device.token, [nextMine(), nextTheirs(), nextMine()]);
    expect(receipts.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(receipts[1]?.reason).toMatch(/not open on this device/);
    expect(await sessionRow(theirs)).toMatchObject({ events: '0', chain_seq: 0 });
    expect(await sessionRow(mine)).toMatchObject({ events: '2', chain_seq: 2, evidence_verdict: 'intact' });
  });

  it('a different event sent for a stored sequence number marks the session altered', async () => {
    const sid = randomUUID();
    const next = chain(sid);
    const first = next();
    await central.channel.ingest(device.token, [start(sid), first, next()]);
    const forged = chain(sid)('paste', { text: 'forged' });
    const receipts = await central.channel.ingest(device.token, [{ ...forged, key: 'forged-1' }]);
    expect(receipts[0]?.status).toBe('applied');
    expect(await sessionRow(sid)).toMatchObject({ evidence_verdict: 'altered', events: '2' });
    const stored = await sql<{ hash: Buffer }>`SELECT hash FROM vigil.events
      WHERE session_id = ${sid} AND seq = 1`.execute(central.owner.db);
    expect(stored.rows[0]?.hash.toString('hex')).toBe((first.payload as { hash: string }).hash);
  });

  it('two different events for one sequence number in the same batch mark the session altered', async () => {
    const sid = randomUUID();
    const next = chain(sid);
    const real = next();
    const forged = chain(sid)('paste', { text: 'forged' });
    const receipts = await central.channel.ingest(device.token, [
      start(sid),
      real,
      { ...forged, key: 'forged-in-batch' },
      next(),
    ]);
    expect(receipts.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(await sessionRow(sid)).toMatchObject({ evidence_verdict: 'altered', events: '2' });
  });

  it('0006 goes down to 0005 and is applied again on a database that already ran 0100', async () => {
    await m0006.down(central.owner.db as unknown as Kysely<unknown>);
    await sql`DELETE FROM vigil_migrations.kysely_migration WHERE name = '0006_set_based_ingest'`.execute(
      central.owner.db,
    );
    const sid = randomUUID();
    const next = chain(sid);
    // 0005's item-by-item path gives the same receipts.
    const before = await central.channel.ingest(device.token, [start(sid), next(), next()]);
    expect(before.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    const report = await migrateCentral(central.owner.db);
    expect(report.applied).toEqual(['0006_set_based_ingest']);
    const after = await central.channel.ingest(device.token, [next(), next()]);
    expect(after.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await sessionRow(sid)).toMatchObject({ chain_seq: 4, evidence_verdict: 'intact' });
    const config = await sql<{ proconfig: string[] }>`SELECT proconfig FROM pg_proc
      WHERE oid = 'vigil.ingest(text, jsonb)'::regprocedure`.execute(central.owner.db);
    expect(config.rows[0]?.proconfig).toEqual(['search_path=pg_catalog, pg_temp', 'lock_timeout=5s']);
  });
});
