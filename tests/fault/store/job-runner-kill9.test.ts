// kill -9 of a process in the middle of a job's handler: the next start resumes the job (the
// interrupted attempt counted) and runs it to done exactly once; the handler's effect, idempotent by
// the job's key, is there once; a further start does not run the finished job again.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobState } from '../../../src-main/store/jobs';
import { openLocalStore } from '../../../src-main/store/local-store';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir('vigil-jobs-kill9-');
const file = path.join(temp.dir, 'vigil.sqlite');
afterAll(() => temp.cleanup());

interface Run {
  lines: string[];
  signal: NodeJS.Signals | null;
  code: number | null;
}

/** Runs the child; in mode `hang` kills it with SIGKILL as soon as its handler has had its effect. */
function runChild(mode: 'hang' | 'finish'): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve('tests/fault/store/job-runner-child.ts'), file, mode],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      if (mode === 'hang' && parts.some((l) => l.startsWith('effect ')) && !child.killed)
        child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (mode === 'hang' && signal !== 'SIGKILL')
        reject(new Error(`the child was not killed (code ${code}): ${stderr}`));
      else if (mode === 'finish' && code !== 0)
        reject(new Error(`the child failed (code ${code}): ${stderr}`));
      else resolve({ lines, signal, code });
    });
  });
}

const stateOf = (run: Run): JobState =>
  JSON.parse(run.lines.find((l) => l.startsWith('state '))!.slice('state '.length)) as JobState;

describe('job runner after kill -9', () => {
  it('resumes the interrupted job at the next start and finishes it exactly once', async () => {
    const killed = await runChild('hang');
    expect(killed.lines).toEqual(['effect 1']);

    // What the crash left: the job still marked running, its effect committed.
    const left = await openLocalStore(file, { migrate: false });
    try {
      expect(left.raw.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(left.raw.prepare(`SELECT status, attempts FROM jobs`).all()).toEqual([
        { status: 'running', attempts: 1 },
      ]);
    } finally {
      await left.close();
    }

    const resumed = await runChild('finish');
    expect(resumed.lines.filter((l) => l.startsWith('effect '))).toEqual(['effect 2']);
    expect(stateOf(resumed)).toMatchObject({
      kind: 'transcription',
      status: 'done',
      attempts: 2,
      result: { transcript: 'transcript:answer-1' },
      lastError: null,
    });

    const again = await runChild('finish');
    expect(again.lines.filter((l) => l.startsWith('effect '))).toEqual([]);
    expect(stateOf(again)).toMatchObject({ status: 'done', attempts: 2 });

    const after = await openLocalStore(file, { migrate: false });
    try {
      expect(after.raw.prepare(`SELECT count(*) AS n FROM jobs`).get()).toEqual({ n: 1 });
      // The effect of the killed attempt stands; the resumed attempt did not apply it twice.
      expect(
        after.raw.prepare(`SELECT key, value FROM sync_state WHERE key LIKE 'transcript:%'`).all(),
      ).toEqual([{ key: 'transcript:answer-1', value: 'attempt 1' }]);
    } finally {
      await after.close();
    }
  });
});
