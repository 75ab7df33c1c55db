// Child process for the job runner kill -9 test. Opens the store, enqueues one transcription job
// (a no-op if it exists) and starts a runner whose handler applies its effect idempotently by the
// job's key, then prints `effect <attempt>`. Mode `hang`: the handler then never returns (the parent
// kills the process there, mid-handler). Mode `finish`: the handler returns, and once the queue is
// drained the child prints `state <job json>` and exits.
import { JobRunner } from '../../../src-main/store/job-runner';
import { enqueueJob, jobState } from '../../../src-main/store/jobs';
import { openLocalStore } from '../../../src-main/store/local-store';

const [file, mode] = process.argv.slice(2) as [string, 'hang' | 'finish'];
const parent = process.ppid;
const store = await openLocalStore(file);
store.write('answer saved', (tx) =>
  enqueueJob(tx, {
    kind: 'transcription',
    sessionId: 'kill9-session',
    key: 'answer-1',
    payload: { answerId: 'answer-1' },
  }),
);
const runner = new JobRunner({ store }).register('transcription', async ({ answerId }, { job }) => {
  // The effect: one transcript row per answer, whichever attempt writes it first.
  store.write('transcript', (tx) =>
    tx.raw
      .prepare(`INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`)
      .run(`transcript:${answerId}`, `attempt ${job.attempts}`),
  );
  process.stdout.write(`effect ${job.attempts}\n`);
  if (mode === 'hang') {
    await new Promise(() => {
      // If the test process is gone before its kill lands, stop rather than hang forever.
      setInterval(() => process.ppid !== parent && process.exit(2), 200);
    });
  }
  return { transcript: `transcript:${answerId}` };
});
runner.start();
if (mode === 'finish') {
  await runner.drain();
  await runner.stop();
  process.stdout.write(`state ${JSON.stringify(jobState(store, 'transcription', 'answer-1'))}\n`);
  await store.close();
}
