// The data CLI end to end: `vigil migrate --central URL` on a real PostgreSQL (twice: idempotent),
// `vigil db check` (exit 1 on a broken chain), `vigil sync status` and `vigil sync retry` on a local
// database.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { centralMigrations } from '../../../migrations/central/index';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent } from '../../../src-main/store/event-chain';
import { openLocalStore } from '../../../src-main/store/local-store';
import { startSession } from '../../../src-main/store/sessions';
import { localDbPath } from '../../../src-main/store/db-file';
import { startPostgres, type PostgresCluster } from '../../support/postgres';
import { makeTempDir } from '../../support/temp-dir';

let pg: PostgresCluster;
const temp = makeTempDir();
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  temp.cleanup();
});

function vigil(...args: string[]) {
  const run = spawnSync(process.execPath, ['bin/vigil.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, VIGIL_DATA_DIR: temp.dir },
    timeout: 120_000,
  });
  return { code: run.status, out: run.stdout + run.stderr };
}

describe('vigil data commands', () => {
  it('migrate --central applies the central migrations once', () => {
    const first = vigil('migrate', '--central', pg.url, '--ssl-mode', 'disable');
    expect(first.out).toContain(`applied ${Object.keys(centralMigrations).length} migration(s)`);
    expect(first.code).toBe(0);
    const again = vigil('migrate', '--central', pg.url, '--ssl-mode', 'disable');
    expect(again.out).toContain(`up to date (${Object.keys(centralMigrations).length} migrations)`);
  });

  it('db check reports a broken chain with exit 1; sync status shows what is pending', async () => {
    const store = await openLocalStore(localDbPath(temp.dir));
    const sessionId = store.write('start', (tx) =>
      startSession(tx, { examId: '00000000-0000-4000-8000-000000000001' }),
    );
    store.write('events', (tx) => appendEvent(tx, { sessionId, kind: 'gaze', data: { x: 1 } }));
    await store.close();
    const healthy = vigil('db', 'check');
    expect(healthy.out).toMatch(/integrity_check: ok/);
    expect(healthy.out).toMatch(/event chains: 1\/1 intact/);
    expect(healthy.code).toBe(0);
    const status = vigil('sync', 'status', '--json');
    expect(JSON.parse(status.out)).toMatchObject({ pendingItems: 3, rejectedItems: 0, lastSuccessAt: null });

    const raw = await openLocalStore(localDbPath(temp.dir));
    raw.raw.prepare(`UPDATE events SET body = replace(body, '"x":1', '"x":2') WHERE seq = 2`).run();
    await raw.close();
    const broken = vigil('db', 'check', '--file', path.join(temp.dir, 'vigil.db'));
    expect(broken.out).toMatch(/broken at event 2 \(hash does not match the event\)/);
    expect(broken.code).toBe(1);
  });

  it('sync status lists a file refused for its quota with the reason; sync retry queues it again', async () => {
    const store = await openLocalStore(localDbPath(temp.dir));
    const sessionId = store.write('start', (tx) =>
      startSession(tx, { examId: '00000000-0000-4000-8000-000000000002' }),
    );
    const reason = "The central server refused starting an upload: the session's storage quota is used up";
    const insert = store.raw.prepare(
      `INSERT INTO blob_uploads (id, session_id, kind, path, sha256, size, content_type, status, reason,
         reason_code, created_at) VALUES (?, ?, 'video', '/tmp/x.webm', ?, 10, 'video/webm', 'rejected', ?, ?, ?)`,
    );
    insert.run('quota-file', sessionId, 'a'.repeat(64), reason, 'QUOTA_EXCEEDED', new Date().toISOString());
    insert.run(
      'bad-file',
      sessionId,
      'b'.repeat(64),
      'blob size is negative',
      'BAD_REQUEST',
      new Date().toISOString(),
    );
    await store.close();
    const status = vigil('sync', 'status');
    expect(status.out).toContain(`file:video quota-file: ${reason}`);
    expect(status.out).toContain('2 file(s)');
    const retry = vigil('sync', 'retry');
    expect(retry.out).toContain('queued again: 1 file(s)');
    expect(retry.code).toBe(0);
    const after = JSON.parse(vigil('sync', 'status', '--json').out) as {
      rejectedBlobs: number;
      pendingBlobs: number;
    };
    // Only the quota refusal goes back in the queue; the malformed one stays refused.
    expect(after).toMatchObject({ rejectedBlobs: 1, pendingBlobs: 1 });
  });
});
