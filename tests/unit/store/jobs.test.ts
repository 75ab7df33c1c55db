// The device's job queue on a real SQLite file: a job commits with its domain row or not at all,
// enqueueing twice is one job, failures back off (or fail at once when retrying cannot help), the
// evaluation waits for the session's transcriptions, stop() lets a running job finish, and jobs a
// crash left running are resumed at start.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src-main/errors';
import { JobFailure, JobRunner, type JobRunnerOptions } from '../../../src-main/store/job-runner';
import { enqueueJob, jobById, jobState, jobsFor, type JobState } from '../../../src-main/store/jobs';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { startSession } from '../../../src-main/store/sessions';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir('vigil-jobs-');
afterAll(() => temp.cleanup());

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
let store: LocalStore;
let clock: number;
const runners: JobRunner[] = [];

beforeEach(async () => {
  store = await openLocalStore(path.join(temp.dir, `${randomUUID()}.db`));
  clock = T0;
  return async () => {
    for (const r of runners.splice(0)) await r.stop();
    await store.close();
  };
});

function runner(options: Partial<JobRunnerOptions> = {}): JobRunner {
  const r = new JobRunner({
    store,
    now: () => clock,
    random: () => 0, // jitter factor 0.5: delays are exactly half the exponential step
    baseBackoffMs: 1_000,
    maxBackoffMs: 60_000,
    ...options,
  });
  runners.push(r);
  return r;
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const count = (table: 'jobs' | 'sessions') =>
  (store.raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('enqueueJob', () => {
  it('commits the job with the domain row in one transaction, or neither', () => {
    const sessionId = store.write('session end', (tx) => {
      const id = startSession(tx, { examId: 'exam-1' });
      enqueueJob(tx, { kind: 'evaluation', sessionId: id, key: id, payload: {}, now: clock });
      return id;
    });
    expect(jobsFor(store, sessionId).map((j) => [j.kind, j.status])).toEqual([['evaluation', 'queued']]);

    const failedId = randomUUID();
    expect(() =>
      store.write('session end', (tx) => {
        startSession(tx, { examId: 'exam-1', id: failedId });
        enqueueJob(tx, { kind: 'evaluation', sessionId: failedId, key: failedId, payload: {}, now: clock });
        throw new Error('the disk went away after the job row');
      }),
    ).toThrow(/disk went away/);
    expect(jobsFor(store, failedId)).toEqual([]);
    expect(count('sessions')).toBe(1);
    expect(count('jobs')).toBe(1);
  });

  it('is a no-op for a (kind, key) already queued, whatever its state', async () => {
    const first = store.write('a', (tx) =>
      enqueueJob(tx, {
        kind: 'report',
        sessionId: 's1',
        key: 's1',
        payload: { trigger: 'session_end' },
        now: clock,
      }),
    );
    const again = store.write('b', (tx) =>
      enqueueJob(tx, { kind: 'report', sessionId: 's1', key: 's1', payload: { trigger: 'manual' } }),
    );
    expect(again).toBe(first);
    // The same key under another kind is another job.
    const other = store.write('c', (tx) =>
      enqueueJob(tx, { kind: 'local_purge', sessionId: 's1', key: 's1', payload: { reason: 'retention' } }),
    );
    expect(other).not.toBe(first);
    expect(jobState(store, 'report', 's1')?.payload).toEqual({ trigger: 'session_end' });

    // Once done, enqueueing again does not run the work a second time.
    let runs = 0;
    const r = runner().register('report', async () => {
      runs++;
      return { reportId: 'r1' };
    });
    r.start();
    await r.drain();
    store.write('d', (tx) =>
      enqueueJob(tx, { kind: 'report', sessionId: 's1', key: 's1', payload: { trigger: 'manual' } }),
    );
    await r.drain();
    expect(runs).toBe(1);
    expect(jobState(store, 'report', 's1')).toMatchObject({ status: 'done', result: { reportId: 'r1' } });
  });
});

describe('JobRunner', () => {
  it('runs a job enqueued while it is started, without a nudge, and reports each change', async () => {
    const seen: [string, string][] = [];
    const r = runner().register('merge', async (payload, { job }) => ({
      merged: payload.recordingId,
      session: job.sessionId,
    }));
    r.onChange((job) => seen.push([job.kind, job.status]));
    r.start();
    const done = new Promise<JobState>((resolve) =>
      r.onChange((job) => job.status === 'done' && resolve(job)),
    );
    store.write('recording stopped', (tx) =>
      enqueueJob(tx, {
        kind: 'merge',
        sessionId: 's1',
        key: 'rec-1',
        payload: { recordingId: 'rec-1' },
        now: clock,
      }),
    );
    const job = await done;
    expect(job).toMatchObject({
      attempts: 1,
      result: { merged: 'rec-1', session: 's1' },
      lastError: null,
      startedAt: new Date(T0).toISOString(),
      finishedAt: new Date(T0).toISOString(),
    });
    expect(seen).toEqual([
      ['merge', 'queued'],
      ['merge', 'running'],
      ['merge', 'done'],
    ]);
  });

  it('retries an unavailable dependency with exponential backoff on the injected clock', async () => {
    const attemptsAt: number[] = [];
    const r = runner().register('evaluation', async () => {
      attemptsAt.push(clock);
      if (attemptsAt.length < 4)
        throw new VigilError('UNAVAILABLE', 'The AI provider could not be reached. Vigil retries.');
      return { overall: 71 };
    });
    store.write('end', (tx) =>
      enqueueJob(tx, { kind: 'evaluation', sessionId: 's1', key: 's1', payload: {}, now: clock }),
    );
    r.start();
    await r.drain();
    // base 1 s · 2^(n−1) · 0.5 (jitter at random() = 0): 0.5 s, 1 s, 2 s.
    expect(jobState(store, 'evaluation', 's1')).toMatchObject({
      status: 'queued',
      attempts: 1,
      nextAttemptAt: T0 + 500,
      lastError: { code: 'UNAVAILABLE', message: 'The AI provider could not be reached. Vigil retries.' },
    });
    clock = T0 + 499;
    r.nudge();
    await r.drain();
    expect(attemptsAt).toHaveLength(1); // not due yet
    clock = T0 + 500;
    await r.drain();
    expect(jobState(store, 'evaluation', 's1')).toMatchObject({ attempts: 2, nextAttemptAt: T0 + 1_500 });
    clock = T0 + 1_500;
    await r.drain();
    expect(jobState(store, 'evaluation', 's1')).toMatchObject({ attempts: 3, nextAttemptAt: T0 + 3_500 });
    clock = T0 + 3_500;
    await r.drain();
    expect(attemptsAt).toEqual([T0, T0 + 500, T0 + 1_500, T0 + 3_500]);
    expect(jobState(store, 'evaluation', 's1')).toMatchObject({
      status: 'done',
      attempts: 4,
      result: { overall: 71 },
      lastError: null,
    });
  });

  it('spreads retries with jitter and honours a provider retry-after as a floor', async () => {
    let fail = () => new VigilError('UNAVAILABLE', 'offline');
    const r = runner({ random: () => 0.999 }).register('transcription', async () => {
      throw fail();
    });
    store.write('a', (tx) =>
      enqueueJob(tx, {
        kind: 'transcription',
        sessionId: 's1',
        key: 'a1',
        payload: { answerId: 'a1' },
        now: clock,
      }),
    );
    r.start();
    await r.drain();
    expect(jobState(store, 'transcription', 'a1')?.nextAttemptAt).toBe(
      T0 + Math.round(1_000 * (0.5 + 0.5 * 0.999)),
    );
    clock = jobState(store, 'transcription', 'a1')!.nextAttemptAt;
    fail = () => new VigilError('UNAVAILABLE', 'rate limited', { retryAfterMs: 20_000 });
    await r.drain();
    expect(jobState(store, 'transcription', 'a1')?.nextAttemptAt).toBe(clock + 20_000);
  });

  it('fails a job at once on a permanent error, keeping its code and message', async () => {
    const r = runner()
      .register('merge', async () => {
        throw new JobFailure(
          'MEDIA_INVALID',
          'Segment 3 of the recording is truncated; the merge cannot use it.',
        );
      })
      .register('report', async () => {
        throw new VigilError('NOT_FOUND', 'No interview was recorded on this device for session s1.');
      });
    store.write('a', (tx) => {
      enqueueJob(tx, {
        kind: 'merge',
        sessionId: 's1',
        key: 'rec',
        payload: { recordingId: 'rec' },
        now: clock,
      });
      enqueueJob(tx, {
        kind: 'report',
        sessionId: 's1',
        key: 's1',
        payload: { trigger: 'session_end' },
        now: clock,
      });
    });
    r.start();
    await r.drain();
    const [merge, report] = jobsFor(store, 's1');
    expect(merge).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: {
        code: 'MEDIA_INVALID',
        message: 'Segment 3 of the recording is truncated; the merge cannot use it.',
      },
      finishedAt: new Date(T0).toISOString(),
    });
    expect(report).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: { code: 'NOT_FOUND', message: 'No interview was recorded on this device for session s1.' },
    });
  });

  it('fails a job after its maximum attempts, with the last error', async () => {
    let n = 0;
    const r = runner().register('recording_upload', async () => {
      n++;
      throw new Error(`socket hang up ${n}`);
    });
    store.write('a', (tx) =>
      enqueueJob(tx, {
        kind: 'recording_upload',
        sessionId: 's1',
        key: 'rec',
        payload: { recordingId: 'rec' },
        maxAttempts: 3,
        now: clock,
      }),
    );
    r.start();
    for (let i = 0; i < 5; i++) {
      await r.drain();
      clock += 60_000;
    }
    expect(n).toBe(3);
    expect(jobState(store, 'recording_upload', 'rec')).toMatchObject({
      status: 'failed',
      attempts: 3,
      maxAttempts: 3,
      lastError: { code: 'INTERNAL', message: 'socket hang up 3' },
    });
  });

  it('runs the evaluation only after both transcriptions finished, one of them failed', async () => {
    const order: string[] = [];
    let seenDeps: JobState[] = [];
    const r = runner()
      .register('transcription', async ({ answerId }) => {
        order.push(`transcribe ${answerId} @${clock - T0}`);
        if (answerId === 'a2') throw new JobFailure('MEDIA_INVALID', 'The audio of answer a2 is empty.');
        if (clock === T0) throw new VigilError('UNAVAILABLE', 'speech service offline');
        return { words: 42 };
      })
      .register('evaluation', async (_payload, { dependencies }) => {
        order.push(`evaluate @${clock - T0}`);
        seenDeps = dependencies();
        return { overall: 64 };
      });
    store.write('session end', (tx) => {
      const t1 = enqueueJob(tx, {
        kind: 'transcription',
        sessionId: 's1',
        key: 'a1',
        payload: { answerId: 'a1' },
        now: clock,
      });
      const t2 = enqueueJob(tx, {
        kind: 'transcription',
        sessionId: 's1',
        key: 'a2',
        payload: { answerId: 'a2' },
        now: clock,
      });
      // Enqueued first in time order of picking (older next_attempt_at), yet it must wait.
      enqueueJob(tx, {
        kind: 'evaluation',
        sessionId: 's1',
        key: 's1',
        payload: {},
        dependsOn: [t1, t2],
        runAt: T0 - 1,
      });
    });
    r.start();
    await r.drain();
    expect(jobState(store, 'evaluation', 's1')?.status).toBe('queued'); // a1 waits for its retry
    clock = T0 + 500;
    await r.drain();
    expect(order).toEqual(['transcribe a1 @0', 'transcribe a2 @0', 'transcribe a1 @500', 'evaluate @500']);
    expect(seenDeps.map((d) => [d.key, d.status])).toEqual([
      ['a1', 'done'],
      ['a2', 'failed'],
    ]);
    const evaluation = jobState(store, 'evaluation', 's1')!;
    expect(evaluation).toMatchObject({ status: 'done', result: { overall: 64 } });
    expect(evaluation.dependsOn).toEqual(seenDeps.map((d) => d.id));
  });

  it('runs one job per kind at a time by default, and more when configured', async () => {
    const track = (r: JobRunner) => {
      let now = 0;
      let peak = 0;
      const gates = [deferred(), deferred(), deferred()];
      let i = 0;
      r.register('transcription', async () => {
        now++;
        peak = Math.max(peak, now);
        await gates[i++]!.promise;
        now--;
      });
      return { peak: () => peak, open: () => gates.forEach((g) => g.resolve()) };
    };
    const enqueueThree = () =>
      store.write('answers', (tx) => {
        for (const a of ['a1', 'a2', 'a3'])
          enqueueJob(tx, {
            kind: 'transcription',
            sessionId: 's',
            key: `${a}-${randomUUID()}`,
            payload: { answerId: a },
            now: clock,
          });
      });
    const one = runner();
    const t1 = track(one);
    enqueueThree();
    one.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    t1.open();
    await one.drain();
    expect(t1.peak()).toBe(1);
    await one.stop();

    const two = runner({ concurrency: { transcription: 2 } });
    const t2 = track(two);
    enqueueThree();
    two.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    t2.open();
    await two.drain();
    expect(t2.peak()).toBe(2);
  });

  it('runs a job scheduled for later when its time comes, on its own timer', async () => {
    const r = new JobRunner({ store });
    runners.push(r);
    const done = new Promise<JobState>((resolve) => r.onChange((j) => j.status === 'done' && resolve(j)));
    r.register('local_purge', async ({ reason }) => ({ purged: reason }));
    const at = Date.now() + 60;
    store.write('schedule purge', (tx) =>
      enqueueJob(tx, {
        kind: 'local_purge',
        sessionId: 's1',
        key: 's1',
        payload: { reason: 'retention' },
        runAt: at,
      }),
    );
    r.start();
    expect(jobState(store, 'local_purge', 's1')?.status).toBe('queued');
    const job = await done;
    expect(Date.parse(job.startedAt!)).toBeGreaterThanOrEqual(at);
    expect(job.result).toEqual({ purged: 'retention' });
  });

  it('waits for a job due later on one timer, without polling the store', async () => {
    let writes = 0;
    const counting: LocalStore = {
      ...store,
      write: (action, fn) => {
        writes++;
        return store.write(action, fn);
      },
    };
    const r = runner({ store: counting }).register('report', async () => ({}));
    store.write('a', (tx) =>
      enqueueJob(tx, {
        kind: 'report',
        sessionId: 's1',
        key: 's1',
        payload: { trigger: 'session_end' },
        runAt: T0 + 3_600_000,
        now: clock,
      }),
    );
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(writes).toBe(2); // the resume at start and one look for due work
    expect(jobState(store, 'report', 's1')).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('stop() waits for the running handler and records its result', async () => {
    const gate = deferred();
    const started = deferred();
    let aborted = false;
    const r = runner().register('report', async (_p, { signal }) => {
      started.resolve();
      await gate.promise;
      aborted = signal.aborted;
      return { reportId: 'r9' };
    });
    store.write('a', (tx) =>
      enqueueJob(tx, {
        kind: 'report',
        sessionId: 's1',
        key: 's1',
        payload: { trigger: 'session_end' },
        now: clock,
      }),
    );
    r.start();
    await started.promise;
    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    expect(jobState(store, 'report', 's1')?.status).toBe('running');
    gate.resolve();
    await stopping;
    expect(aborted).toBe(true);
    expect(jobState(store, 'report', 's1')).toMatchObject({ status: 'done', result: { reportId: 'r9' } });
  });

  it('puts a job cut short by stop() back in the queue without counting the attempt', async () => {
    const started = deferred();
    const r = runner().register('transcription', async (_p, { signal }) => {
      started.resolve();
      await new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new VigilError('UNAVAILABLE', 'stopped'))),
      );
    });
    store.write('a', (tx) =>
      enqueueJob(tx, {
        kind: 'transcription',
        sessionId: 's1',
        key: 'a1',
        payload: { answerId: 'a1' },
        now: clock,
      }),
    );
    r.start();
    await started.promise;
    clock = T0 + 10;
    await r.stop();
    expect(jobState(store, 'transcription', 'a1')).toMatchObject({
      status: 'queued',
      attempts: 0,
      nextAttemptAt: T0 + 10,
    });
  });

  it('resumes at start a job a crash left running, counting the interrupted attempt', async () => {
    const [resumed, exhausted] = store.write('jobs', (tx) => [
      enqueueJob(tx, { kind: 'evaluation', sessionId: 's1', key: 's1', payload: {}, now: clock }),
      enqueueJob(tx, {
        kind: 'merge',
        sessionId: 's1',
        key: 'rec',
        payload: { recordingId: 'rec' },
        maxAttempts: 2,
        now: clock,
      }),
    ]);
    // What a process killed mid-handler leaves behind.
    store.raw.prepare(`UPDATE jobs SET status = 'running', attempts = 1 WHERE id = ?`).run(resumed);
    store.raw.prepare(`UPDATE jobs SET status = 'running', attempts = 2 WHERE id = ?`).run(exhausted);
    const attempts: number[] = [];
    const r = runner()
      .register('evaluation', async (_p, { job }) => {
        attempts.push(job.attempts);
        return { overall: 80 };
      })
      .register('merge', async () => ({}));
    r.start();
    await r.drain();
    expect(attempts).toEqual([2]);
    expect(jobById(store, resumed)).toMatchObject({ status: 'done', attempts: 2, lastError: null });
    expect(jobById(store, exhausted)).toMatchObject({
      status: 'failed',
      attempts: 2,
      lastError: { code: 'INTERRUPTED' },
    });
    expect(jobById(store, exhausted)?.lastError?.message).toMatch(/closed while this job ran/);
  });

  it('leaves a kind without a handler queued', async () => {
    const r = runner().register('merge', async () => ({}));
    store.write('a', (tx) =>
      enqueueJob(tx, { kind: 'evaluation', sessionId: 's1', key: 's1', payload: {}, now: clock }),
    );
    r.start();
    await r.drain();
    expect(jobState(store, 'evaluation', 's1')).toMatchObject({ status: 'queued', attempts: 0 });
  });
});
