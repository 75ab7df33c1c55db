// Migration 0200 on a real PostgreSQL: sessions whose chain reports an app build the server does
// not know are flagged (server warning `unknown_app_build`, shown in the proctor queue), exactly
// once even when the device delivers the same events twice; a known build raises nothing. The
// events come from the real local chain (SQLite) and go through the real device ingest function.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffLogin, createUser } from '../../../src-main/central/admin';
import {
  hashBuildFiles,
  listBuildFiles,
  type AppBuildPayload,
} from '../../../src-main/lockdown/evidence-events';
import { parseLockdownPolicy } from '../../../src-main/lockdown/policy';
import { ReviewService } from '../../../src-main/review/review-service';
import { accommodationRecord } from '../../../src-main/session/exam-options';
import type { IngestItem } from '../../../src-main/central/device-channel';
import { appendEvent } from '../../../src-main/store/event-chain';
import { openLocalStore } from '../../../src-main/store/local-store';
import { finishSession, startSession } from '../../../src-main/store/sessions';
import { startCentral, type CentralFixture } from '../../support/central';
import { runVigil } from '../../support/cli';
import { makeTempDir } from '../../support/temp-dir';

const KNOWN_HASH = 'a1'.repeat(32);
const temp = makeTempDir('vigil-app-builds-');
let central: CentralFixture;
let examId: string;

beforeAll(async () => {
  central = await startCentral();
  examId = await central.createExam('Builds exam');
  await central.owner.query(
    `INSERT INTO vigil.known_app_builds (app_version, build_hash, note) VALUES ($1, $2, 'release')`,
    ['0.1.0', KNOWN_HASH],
  );
}, 120_000);
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

interface SyncOptions {
  deliveries?: number;
  /** How many app_build events the chain holds (0: the client reported none). */
  copies?: number;
  interview?: boolean;
  status?: 'completed' | 'abandoned';
  /** An event kind delivered in a second call, after everything else (a reordered delivery). */
  holdBack?: string | null;
  beforeHeldBack?: (sessionId: string) => Promise<void>;
}

/** A device records a session whose chain reports `build`, then sends it (twice if asked). */
async function syncSession(
  name: string,
  build: AppBuildPayload,
  {
    deliveries = 1,
    copies = 1,
    interview = true,
    status = 'completed',
    holdBack = null,
    beforeHeldBack = async () => {},
  }: SyncOptions = {},
): Promise<string> {
  const device = await central.enroll(examId);
  const store = await openLocalStore(path.join(temp.dir, `${name}.db`));
  try {
    const sessionId = store.write('session', (tx) => {
      const id = startSession(tx, { examId });
      // What the app chains (the server checks both against the exam, central 0434).
      if (interview)
        appendEvent(tx, {
          sessionId: id,
          kind: 'interview_started',
          data: { accommodation: accommodationRecord({}) },
        });
      // Two copies: the app restarted within the session and reported the same build again.
      for (let i = 0; i < copies; i++) appendEvent(tx, { sessionId: id, kind: 'app_build', data: build });
      appendEvent(tx, {
        sessionId: id,
        kind: 'lockdown_policy',
        data: { available: true, policy: { lockdown: parseLockdownPolicy({}) } },
      });
      finishSession(tx, { sessionId: id, status });
      return id;
    });
    const items = (
      store.raw.prepare('SELECT idempotency_key, kind, payload FROM outbox ORDER BY id').all() as {
        idempotency_key: string;
        kind: string;
        payload: string;
      }[]
    ).map((r): IngestItem => ({ key: r.idempotency_key, kind: r.kind, payload: JSON.parse(r.payload) }));
    // A reordered delivery: the held-back kind arrives after everything else.
    const first = items.filter((item) => !isKind(item, holdBack));
    const late = items.filter((item) => isKind(item, holdBack));
    for (let i = 0; i < deliveries; i++) {
      const receipts = await central.channel.ingest(device.token, first);
      expect(receipts.map((r) => r.status)).toEqual(first.map(() => (i === 0 ? 'applied' : 'duplicate')));
    }
    if (late.length > 0) {
      await beforeHeldBack(sessionId);
      const receipts = await central.channel.ingest(device.token, late);
      expect(receipts.map((r) => r.status)).toEqual(late.map(() => 'applied'));
    }
    return sessionId;
  } finally {
    await store.close();
  }
}

function isKind(item: IngestItem, kind: string | null): boolean {
  if (kind === null || item.kind !== 'event') return false;
  return (JSON.parse((item.payload as { body: string }).body) as { kind: string }).kind === kind;
}

async function flags(sessionId: string) {
  return central.owner.query<{ severity: string; source: string; details: Record<string, unknown> }>(
    `SELECT severity, source, details FROM vigil.warnings WHERE session_id = $1 AND type = 'unknown_app_build'`,
    [sessionId],
  );
}

const build = (appVersion: string, buildHash: string): AppBuildPayload => ({
  appVersion,
  buildHash,
  platform: 'win32',
  arch: 'x64',
  origin: 'bundles',
});

describe('sessions from unknown app builds', () => {
  it('does not flag a session from a known build', async () => {
    const sessionId = await syncSession('known', build('0.1.0', KNOWN_HASH));
    expect(await flags(sessionId)).toEqual([]);
    const [session] = await central.owner.query<{ evidence_verdict: string; chain_seq: number }>(
      'SELECT evidence_verdict, chain_seq FROM vigil.sessions WHERE id = $1',
      [sessionId],
    );
    expect(session).toEqual({ evidence_verdict: 'intact', chain_seq: 5 });
  });

  it('flags an unknown version once, even when reported twice and delivered twice', async () => {
    const sessionId = await syncSession('version', build('0.0.9', KNOWN_HASH), { deliveries: 2, copies: 2 });
    const found = await flags(sessionId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      severity: 'high',
      source: 'server',
      details: { reason: 'unknown app version 0.0.9', appVersion: '0.0.9', buildHash: KNOWN_HASH, seq: 3 },
    });
  });

  it('flags a known version with an unknown build hash, and the proctor queue shows the flag', async () => {
    const patched = 'b2'.repeat(32);
    const sessionId = await syncSession('hash', build('0.1.0', patched), { deliveries: 2 });
    const found = await flags(sessionId);
    expect(found.map((f) => f.details)).toEqual([
      expect.objectContaining({ reason: 'app version 0.1.0 with an unknown build hash', buildHash: patched }),
    ]);
    const queue = await new ReviewService(central.owner.query).queue({ warningType: 'unknown_app_build' });
    const row = queue.rows.find((r) => r.sessionId === sessionId);
    expect(row?.flags).toContainEqual({ type: 'unknown_app_build', count: 1 });
  });

  it('flags a finished interview that reported no app build at all, once', async () => {
    const sessionId = await syncSession('none', build('0.1.0', KNOWN_HASH), { copies: 0, deliveries: 2 });
    const found = await flags(sessionId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'high', details: { reason: 'no app build reported' } });
  });

  it('withdraws the "none reported" flag when a reordered delivery brings the app build late', async () => {
    let flaggedBefore: unknown[] = [];
    const sessionId = await syncSession('late', build('0.1.0', KNOWN_HASH), {
      holdBack: 'app_build',
      beforeHeldBack: async (id) => {
        flaggedBefore = (await flags(id)).map((f) => f.details.reason);
      },
    });
    expect(flaggedBefore).toEqual(['no app build reported']);
    expect(await flags(sessionId)).toEqual([]);
  });

  it('does not flag a session abandoned before its interview began', async () => {
    const sessionId = await syncSession('abandoned', build('0.1.0', KNOWN_HASH), {
      copies: 0,
      interview: false,
      status: 'abandoned',
    });
    expect(await flags(sessionId)).toEqual([]);
  });

  it('lets an admin register a release from its build folder with `vigil admin builds add --dist`', async () => {
    const userId = await createUser(central.owner.db, {
      email: 'release@admins.test',
      role: 'admin',
      displayName: 'Release',
    });
    await createStaffLogin(central.owner.db, {
      userId,
      roleName: 'release_admin',
      password: 'pw',
      group: 'vigil_admin',
    });
    const dist = path.join(temp.dir, 'dist');
    for (const [rel, body] of Object.entries({
      'main/main.js': 'console.log("main");',
      'main/main.js.map': '{}',
      'preload/index.cjs': 'void 0;',
      'renderer/index.html': '<!doctype html>',
    })) {
      fs.mkdirSync(path.dirname(path.join(dist, rel)), { recursive: true });
      fs.writeFileSync(path.join(dist, rel), body);
    }
    const cli = (args: string[]) => {
      const run = runVigil([
        'admin',
        'builds',
        ...args,
        '--db',
        central.pg.urlFor('release_admin'),
        '--ssl-mode',
        'disable',
        '--json',
      ]);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as unknown;
    };
    const added = cli(['add', '--app-version', '0.2.0', '--dist', dist, '--note', 'stable']) as {
      buildHash: string;
    };
    // The same hash the packaged shell computes over its dist folder at start.
    expect(added.buildHash).toBe(await hashBuildFiles(dist, await listBuildFiles(dist)));
    expect(cli(['list'])).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          appVersion: '0.2.0',
          buildHash: added.buildHash,
          addedBy: 'release_admin',
        }),
      ]),
    );
    const sessionId = await syncSession('release', build('0.2.0', added.buildHash));
    expect(await flags(sessionId)).toEqual([]);
  });

  it('keeps the known builds from devices', async () => {
    await expect(central.device.query('SELECT * FROM vigil.known_app_builds')).rejects.toThrow(
      /permission denied/,
    );
  });
});
