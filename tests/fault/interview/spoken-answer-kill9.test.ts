// kill -9 of the process saving spoken answers, at random points: after each restart every answer
// is all there or not there at all: the answer row with its audio link, the closed question and the
// candidate's message, the audio's blob upload row, its `spoken_answer` chain event and the outbox
// rows (the question version carrying the audio's hash, the event) — never a part of them. Every
// answer whose save returned survives, and the chain verifies.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src-main/store/event-chain';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { makeTempDir } from '../../support/temp-dir';

const ITERATIONS = Number(process.env.VIGIL_SPOKEN_KILL9_ITERATIONS ?? 40);
const QUESTIONS = 100;
// tmpfs when available (as tests/fault/kill9.test.ts): a killed process leaves its writes in the
// page cache either way.
const temp = makeTempDir('vigil-spoken-kill9-', fs.existsSync('/dev/shm') ? '/dev/shm' : undefined);
const audioDir = path.join(temp.dir, 'answers');
let childScript: string;

beforeAll(async () => {
  childScript = path.join(temp.dir, 'spoken-answer-child.mjs');
  const betterSqlite = path.resolve('node_modules/better-sqlite3/lib/index.js');
  await build({
    entryPoints: [path.resolve('tests/fault/support/spoken-answer-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: childScript,
    logLevel: 'silent',
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

const spawned = new Set<ReturnType<typeof spawn>>();
afterAll(() => {
  for (const child of spawned) child.kill('SIGKILL');
});

/** Starts a child, lets it answer, kills it `delayMs` after it is ready; resolves with the acked ids. */
function answerThenKill(file: string, sessionId: string, delayMs: number): Promise<string[]> {
  const child = spawn(process.execPath, [childScript, file, sessionId, audioDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  spawned.add(child);
  const acked: string[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), delayMs);
      if (line.startsWith('ack ')) acked.push(line.slice(4));
    }
  });
  child.stdin.write('go\n');
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      spawned.delete(child);
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`the child exited on its own (${code}): ${stderr}`));
    });
  });
}

interface Parts {
  answerWithAudio: boolean;
  closed: boolean;
  userMessage: boolean;
  blob: boolean;
  event: boolean;
  questionItemWithAudio: boolean;
}

/** Which parts of each question's spoken answer are stored, in question order. */
function partsOf(store: LocalStore, sessionId: string): { id: string; parts: Parts }[] {
  const raw = store.raw;
  const questions = raw
    .prepare('SELECT id, seq, closed_at FROM questions WHERE session_id = ? ORDER BY seq')
    .all(sessionId) as { id: string; seq: number; closed_at: string | null }[];
  const blobs = raw
    .prepare(`SELECT path, sha256 FROM blob_uploads WHERE session_id = ? AND kind = 'audio'`)
    .all(sessionId) as { path: string; sha256: string }[];
  const events = (
    raw.prepare(`SELECT body FROM events WHERE session_id = ? AND kind = 'spoken_answer'`).all(sessionId) as {
      body: string;
    }[]
  ).map((e) => JSON.parse(e.body) as { data?: { questionId?: string }; questionId?: string });
  const eventQuestion = (e: (typeof events)[number]) => e.data?.questionId ?? e.questionId;
  const items = (
    raw.prepare(`SELECT payload FROM outbox WHERE kind = 'question'`).all() as { payload: string }[]
  ).map((r) => JSON.parse(r.payload) as { id: string; sessionId: string; answerAudioSha256: string | null });
  return questions.map((q) => {
    const answer = raw.prepare('SELECT audio_path FROM answers WHERE question_id = ?').get(q.id) as
      { audio_path: string | null } | undefined;
    const file = path.join(audioDir, sessionId, `answer-${String(q.seq + 1).padStart(2, '0')}.webm`);
    const audioPath = answer?.audio_path ?? null;
    const blob = blobs.find((b) => b.path === (audioPath ?? file));
    return {
      id: q.id,
      parts: {
        answerWithAudio: audioPath !== null,
        closed: q.closed_at !== null,
        userMessage:
          raw
            .prepare(`SELECT 1 FROM messages WHERE session_id = ? AND question_id = ? AND role = 'user'`)
            .get(sessionId, q.id) !== undefined,
        blob: blob !== undefined,
        event: events.filter((e) => eventQuestion(e) === q.id).length === 1,
        questionItemWithAudio: items.some(
          (i) => i.id === q.id && blob !== undefined && i.answerAudioSha256 === blob.sha256,
        ),
      },
    };
  });
}

describe('spoken answer after kill -9', () => {
  it(`is stored whole or not at all, over ${ITERATIONS} kills`, async () => {
    const file = path.join(temp.dir, 'vigil.db');
    await (await openLocalStore(file)).close(); // migrate once
    const all: Parts = {
      answerWithAudio: true,
      closed: true,
      userMessage: true,
      blob: true,
      event: true,
      questionItemWithAudio: true,
    };
    const none: Parts = {
      answerWithAudio: false,
      closed: false,
      userMessage: false,
      blob: false,
      event: false,
      questionItemWithAudio: false,
    };
    let midStream = 0;
    let committedUnacked = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const sessionId = randomUUID();
      const acked = await answerThenKill(file, sessionId, Math.floor(Math.random() * 120));
      const store = await openLocalStore(file, { migrate: false });
      try {
        expect(store.raw.pragma('integrity_check', { simple: true })).toBe('ok');
        const questions = partsOf(store, sessionId);
        // The kill may land before the interview started: then there is nothing to check.
        if (questions.length === 0) continue;
        expect(questions).toHaveLength(QUESTIONS);
        for (const q of questions) {
          expect([all, none], `question ${q.id}`).toContainEqual(q.parts);
        }
        // Answers are saved in order: the stored ones are a prefix, and every acknowledged one is there.
        const answered = questions.filter((q) => q.parts.answerWithAudio).length;
        expect(questions.slice(0, answered).every((q) => q.parts.answerWithAudio)).toBe(true);
        expect(acked.every((id) => questions.find((q) => q.id === id)?.parts.answerWithAudio)).toBe(true);
        expect(answered).toBeGreaterThanOrEqual(acked.length);
        if (answered > acked.length) committedUnacked++;
        if (answered > 0 && answered < QUESTIONS) midStream++;
        // Every chain event has its outbox row, and the chain verifies.
        const chain = verifyChain(store, sessionId);
        expect(chain.ok, chain.problem).toBe(true);
        const eventItems = store.raw
          .prepare(`SELECT count(*) AS n FROM outbox WHERE kind = 'event' AND idempotency_key LIKE ?`)
          .get(`event:${sessionId}:%`) as { n: number };
        expect(eventItems.n).toBe(chain.events);
      } finally {
        await store.close();
      }
    }
    // The kills must land while answers were being saved, or the test proves nothing.
    expect(midStream).toBeGreaterThan(ITERATIONS / 4);
    // Informational: kills between a commit and its acknowledgement (present but not acked).
    console.info(
      `spoken-answer kill -9: ${midStream} mid-stream kills, ${committedUnacked} after a commit before its ack`,
    );
  }, 600_000);
});
