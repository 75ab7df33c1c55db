// Central-worker test support: finished sessions filed through the device ingest functions (what a
// device sends: start, the questions asked with their final answers, a warning, the finish), worker
// child processes running the real `vigil worker` command, and a fake OpenAI reply that scores
// however many questions the prompt holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createWorkerLogin } from '../../src-main/central/admin';
import type { IngestItem } from '../../src-main/central/device-channel';
import type { CentralFixture, EnrolledTestDevice } from './central';
import type { FakeReply, RecordedRequest } from './fake-openai';
import { makeTempDir } from './temp-dir';

/**
 * Files `count` finished sessions (2 answered questions and one 4 s no_face warning each) for the
 * device; with `finish: false` they stay in progress until finishSessions.
 */
export async function fileFinishedSessions(
  central: CentralFixture,
  device: EnrolledTestDevice,
  count: number,
  options: { finish?: boolean } = {},
): Promise<string[]> {
  const ids: string[] = [];
  let items: IngestItem[] = [];
  const flush = async () => {
    const receipts = await central.channel.ingest(device.token, items);
    const refused = receipts.filter((r) => r.status === 'rejected');
    if (refused.length > 0) throw new Error(`ingest refused: ${JSON.stringify(refused[0])}`);
    items = [];
  };
  for (let n = 0; n < count; n++) {
    const id = randomUUID();
    ids.push(id);
    const t0 = Date.parse('2026-12-01T09:00:00Z') + n * 600_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    items.push({ key: `session.start:${id}`, kind: 'session.start', payload: { id, startedAt: at(0) } });
    for (let q = 0; q < 2; q++) {
      const qid = randomUUID();
      items.push({
        key: `question:${qid}:answered`,
        kind: 'question',
        payload: {
          id: qid,
          sessionId: id,
          ordinal: q,
          text: q === 0 ? 'Describe a project you led.' : 'How do you test a database migration?',
          timeLimitS: 120,
          askedAt: at(10 + q * 60),
          answeredAt: at(50 + q * 60),
          answerText: `I planned the work, measured the result and wrote down what we learned (answer ${q}).`,
        },
      });
    }
    const wid = randomUUID();
    items.push({
      key: `warning:${wid}:started`,
      kind: 'warning',
      payload: {
        id: wid,
        sessionId: id,
        type: 'no_face',
        severity: 'high',
        startedAt: at(30),
        endedAt: at(34),
        confidence: 0.9,
        details: { detector: 'test' },
      },
    });
    if (options.finish !== false) items.push(finishItem(id, at(140)));
    if (items.length >= 100) await flush();
  }
  if (items.length > 0) await flush();
  return ids;
}

function finishItem(id: string, endedAt: string): IngestItem {
  return {
    key: `session.update:${id}:finished`,
    kind: 'session.update',
    payload: { id, status: 'completed', endedAt },
  };
}

/** Finishes the sessions in one ingest call: all their work becomes due in one transaction. */
export async function finishSessions(
  central: CentralFixture,
  device: EnrolledTestDevice,
  ids: string[],
): Promise<void> {
  const endedAt = new Date().toISOString();
  const receipts = await central.channel.ingest(
    device.token,
    ids.map((id) => finishItem(id, endedAt)),
  );
  const refused = receipts.filter((r) => r.status === 'rejected');
  if (refused.length > 0) throw new Error(`ingest refused: ${JSON.stringify(refused[0])}`);
}

/** A valid evaluation for every question the evaluator's prompt lists. */
export function scoredEvaluation(req: RecordedRequest): FakeReply {
  const body = req.json as { messages?: { role: string; content: string }[] } | null;
  const prompt = body?.messages?.find((m) => m.role === 'user')?.content ?? '';
  // evaluationPrompt states the count: "… difficulty N, K question(s)). The record, as data:".
  const n = Number(/(\d+) question\(s\)\)/.exec(prompt)?.[1] ?? 0);
  return {
    kind: 'chat',
    usage: { prompt_tokens: 420, completion_tokens: 130 },
    content: {
      question_responses: Array.from({ length: n }, (_, index) => ({
        index,
        score: 7,
        feedback: 'Concrete and structured.',
      })),
      professionalism: 80,
      subject_knowledge: 70,
      clarity: 75,
      overall: 74,
      traits: ['structured'],
      suggestions: ['Give numbers.'],
      feedback: 'A clear interview.',
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  name: string;
  events: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves once the worker reports it has started. */
  started: Promise<void>;
}

/** A worker login `name` (member of vigil_worker) and `vigil worker` running as it. */
export async function spawnWorker(
  central: CentralFixture,
  name: string,
  options: { env?: NodeJS.ProcessEnv; args?: string[]; newLogin?: boolean; password?: string } = {},
): Promise<WorkerProcess> {
  if (options.newLogin !== false)
    await createWorkerLogin(central.owner.db, { roleName: name, password: 'pw' });
  const temp = makeTempDir(`vigil-worker-${name}-`);
  const home = temp.dir;
  const child = spawn(
    process.execPath,
    [
      path.resolve('bin/vigil.mjs'),
      'worker',
      '--central',
      central.pg.urlFor(name, options.password ?? 'pw'),
      '--ssl-mode',
      'disable',
      '--id',
      name,
      '--json',
      ...(options.args ?? []),
    ],
    {
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        VIGIL_DATA_DIR: path.join(home, 'data'),
        OPENAI_API_KEY: '',
        OPENAI_BASE_URL: '',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: Record<string, unknown>[] = [];
  let err = '';
  let buffer = '';
  let onStart: () => void = () => undefined;
  let onFail: (e: Error) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    onStart = resolve;
    onFail = reject;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (event.kind === 'started') onStart();
      } catch {
        // not an event line
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.on('exit', (code, signal) => {
    temp.cleanup();
    onFail(new Error(`worker ${name} exited (${code ?? signal}): ${err}`));
  });
  return { child, name, events, stderr: () => err, started };
}

export async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGTERM');
  await exited;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
