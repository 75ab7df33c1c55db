// kill -9 of the writing process at random points, 200 times on the same database: after each
// restart PRAGMA integrity_check is ok, every write acknowledged to the caller is present, the event
// chain verifies and every event still has its outbox row (nothing half-committed).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src-main/store/event-chain';
import { openLocalStore } from '../../src-main/store/local-store';
import { makeTempDir } from '../support/temp-dir';

const ITERATIONS = Number(process.env.VIGIL_KILL9_ITERATIONS ?? 200);
// tmpfs when available: a killed process leaves its writes in the page cache either way, and
// fsync on a shared CI disk would make hundreds of runs slow without testing anything more.
const temp = makeTempDir('vigil-kill9-', fs.existsSync('/dev/shm') ? '/dev/shm' : undefined);
let childScript: string;

beforeAll(async () => {
  childScript = path.join(temp.dir, 'writer-child.mjs');
  const betterSqlite = path.resolve('node_modules/better-sqlite3/lib/index.js');
  await build({
    entryPoints: [path.resolve('tests/fault/support/writer-child.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: childScript,
    logLevel: 'silent',
    // The native module stays where npm put it; everything else is inlined.
    plugins: [
      {
        name: 'external-native',
        setup(b) {
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: betterSqlite, external: true }));
        },
      },
    ],
  });
});
afterAll(() => temp.cleanup());

interface Child {
  /** Lets the child open the database; resolves with the highest acknowledged seq once killed. */
  run(delayMs: number, afterFirstAck: boolean): Promise<number>;
  /** Kills a child that was never let go (the warmed-up spare at the end, or after a failure). */
  kill(): void;
}

const spawned = new Set<ReturnType<typeof spawn>>();
afterAll(() => {
  for (const child of spawned) child.kill('SIGKILL');
});

/** Spawns a writer that loads its code now and waits for `go` before touching the database. */
function spawnWriter(file: string, sessionId: string): Child {
  const child = spawn(process.execPath, [childScript, file, sessionId], { stdio: ['pipe', 'pipe', 'pipe'] });
  spawned.add(child);
  child.on('exit', () => spawned.delete(child));
  let acked = 0;
  let buffered = '';
  let stderr = '';
  let armed: (() => void) | undefined;
  let armOnAck = false;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('ack ')) acked = Math.max(acked, Number(line.slice(4)));
      if ((line === 'ready' && !armOnAck) || (line.startsWith('ack ') && armOnAck)) {
        armed?.();
        armed = undefined;
      }
    }
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited on its own (${code}): ${stderr}`));
    });
  });
  return {
    run: (delayMs, afterFirstAck) => {
      armOnAck = afterFirstAck;
      armed = () => setTimeout(() => child.kill('SIGKILL'), delayMs);
      child.stdin.write('go\n');
      return exited;
    },
    kill: () => {
      exited.catch(() => undefined);
      child.kill('SIGKILL');
    },
  };
}

describe('kill -9 while writing', () => {
  it(`keeps the database intact and every acknowledged write, over ${ITERATIONS} kills`, async () => {
    const file = path.join(temp.dir, 'vigil.db');
    await (await openLocalStore(file)).close(); // migrate once
    const sessionId = randomUUID();
    let maxAcked = 0;
    let killsAfterWrites = 0;
    let next = spawnWriter(file, sessionId);
    for (let i = 0; i < ITERATIONS; i++) {
      const current = next;
      // Most kills land mid-stream of commits; every fifth lands around opening and the first write.
      const running = current.run(Math.floor(Math.random() * 30), i % 5 !== 0);
      next = spawnWriter(file, sessionId); // warms up while the current one writes
      const acked = await running;
      if (acked > maxAcked) killsAfterWrites++;
      maxAcked = Math.max(maxAcked, acked);
      const store = await openLocalStore(file, { migrate: false });
      try {
        expect(store.raw.pragma('integrity_check', { simple: true })).toBe('ok');
        const chain = verifyChain(store, sessionId);
        expect(chain.ok, chain.problem).toBe(true);
        expect(chain.events).toBeGreaterThanOrEqual(maxAcked);
        const outboxEvents = store.raw
          .prepare(`SELECT count(*) AS n FROM outbox WHERE kind = 'event'`)
          .get() as { n: number };
        expect(outboxEvents.n).toBe(chain.events);
        const warnings = store.raw.prepare(`SELECT count(*) AS n FROM warnings`).get() as { n: number };
        const warningItems = store.raw
          .prepare(`SELECT count(*) AS n FROM outbox WHERE kind = 'warning'`)
          .get() as { n: number };
        expect(warningItems.n).toBe(warnings.n);
        maxAcked = Math.max(maxAcked, chain.events); // committed but not yet acknowledged counts too
      } finally {
        await store.close();
      }
    }
    next.kill();
    // The kills must have landed while writes were happening, or the test proves nothing.
    expect(killsAfterWrites).toBeGreaterThan(ITERATIONS / 4);
    expect(fs.statSync(file).size).toBeGreaterThan(0);
  }, 600_000);
});
