// The server checks the lockdown's allow-list the device applied (issue 20 item 5, central 0525). The
// exam allows Zoom (a remote sign-language interpreter) and the candidate's accommodation a
// calculator: an honest device applies both and the server raises nothing. A candidate who adds
// AnyDesk to the cached exam's allow-list (so the process scan would stop reporting it), or to the
// accommodation's, gets a high `policy_mismatch` for the lockdown, or for the accommodation.
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { CentralStore } from '../../../src-main/central/connect';
import { sqlDeviceChannel } from '../../../src-main/central/device-channel';
import { seedDemoCentral } from '../../../src-main/demo/seed-central';
import { openSealed, sealContent } from '../../../src-main/security/exam-seal';
import { createTokenVaults } from '../../../src-main/store/device-credentials';
import { enrollmentFor } from '../../../src-main/store/enrollments';
import type { CachedExam } from '../../../src-main/store/exam-cache';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import { scenes } from '../../support/proctoring/scenes';

const ctx = { transport: 'host' as const, origin: 'test' };
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) {
    await t.app.close();
    t.cleanup();
  }
});

const EXAM_POLICY = {
  lockdown: { allowedApps: ['zoom'] },
  accommodation: { name: 'calculator', allowedApps: ['calc', 'CalculatorApp', 'gnome-calculator'] },
};

interface Flag {
  what: string;
  applied: Record<string, unknown>;
  expected: Record<string, unknown>;
}

async function flagsOf(central: CentralStore, sessionId: string): Promise<Flag[]> {
  return central.query<Flag>(
    `SELECT details->>'what' AS what, details->'applied' AS applied, details->'expected' AS expected
     FROM vigil.warnings WHERE session_id = $1 AND type = 'policy_mismatch' ORDER BY details->>'what'`,
    [sessionId],
  );
}

/** The exam gets EXAM_POLICY centrally; `edit` changes the cached exam's policy before it starts. */
async function takeExam(edit?: (policy: Record<string, unknown>) => Record<string, unknown>) {
  const t = createTestApp('host');
  apps.push(t);
  const call = async <C extends CallName>(name: C, request: CallRequest<C>) => {
    const result = await t.app.dispatcher.dispatch(name, request, ctx);
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result.value as CallResponse<C>;
  };
  const central = await t.app.context.candidate.central();
  const { examId, code } = await seedDemoCentral(central);
  await central.query(`UPDATE vigil.exams SET policy = policy || $2::jsonb WHERE id = $1`, [
    examId,
    JSON.stringify(EXAM_POLICY),
  ]);
  await call('candidateEnroll', { code });
  const store = await t.app.context.candidate.store();
  if (edit) {
    const enrollment = enrollmentFor(store, examId)!;
    const token = createTokenVaults(t.dir).forFile(enrollment.tokenFile).load()!;
    const { key } = await sqlDeviceChannel(central.query).releaseExamKey(token, examId);
    const row = store.raw.prepare('SELECT sealed FROM cached_exams WHERE id = ?').get(examId) as {
      sealed: Buffer;
    };
    const exam = openSealed(Buffer.from(row.sealed), key) as CachedExam;
    exam.policy = edit(exam.policy);
    store.raw.prepare('UPDATE cached_exams SET sealed = ? WHERE id = ?').run(sealContent(exam, key), examId);
  }
  const { sessionId } = await call('candidateConsent', { examId, accepted: true });
  await call('candidateSystemCheck', {
    sessionId,
    camera: { ok: true, label: 'Test camera' },
    microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
    displays: 1,
    cpuProbeMs: 20,
  });
  await call('candidateBeginInterview', { sessionId });
  const jpeg = new Uint8Array(
    await sharp(await scenes.noFace())
      .resize(320, 240)
      .jpeg()
      .toBuffer(),
  );
  await call('candidateFrame', { sessionId, jpeg, width: 320, height: 240 });
  await expect
    .poll(
      async () =>
        Number(
          (
            await central.query<{ n: string | number }>(
              `SELECT count(*) AS n FROM vigil.events WHERE session_id = $1
               AND kind IN ('lockdown_policy', 'interview_started')`,
              [sessionId],
            )
          )[0]!.n,
        ),
      { timeout: 30_000, interval: 250 },
    )
    .toBe(2);
  // What the device applied, as the chain carries it.
  const applied = await central.query<{ kind: string; payload: Record<string, unknown> }>(
    `SELECT kind, payload FROM vigil.events WHERE session_id = $1
     AND kind IN ('lockdown_policy', 'interview_started') ORDER BY kind`,
    [sessionId],
  );
  return { central, sessionId, applied };
}

describe('the server checks the allow-list the device applied', () => {
  it("an honest device applies the exam's and the accommodation's apps, and nothing is flagged", async () => {
    const honest = await takeExam();
    expect(await flagsOf(honest.central, honest.sessionId)).toEqual([]);
    const [started, lockdown] = honest.applied;
    expect(started?.payload).toMatchObject({
      accommodation: { allowedApps: ['calc', 'CalculatorApp', 'gnome-calculator'] },
    });
    expect(lockdown?.payload).toMatchObject({
      policy: { lockdown: { allowedApps: ['zoom', 'calc', 'CalculatorApp', 'gnome-calculator'] } },
    });
  });

  it('AnyDesk added to the cached lockdown allow-list is flagged', async () => {
    const edited = await takeExam((policy) => ({
      ...policy,
      lockdown: { ...(policy.lockdown as object), allowedApps: ['zoom', 'anydesk'] },
    }));
    const flags = await flagsOf(edited.central, edited.sessionId);
    expect(flags.map((f) => f.what)).toEqual(['lockdown']);
    expect(flags[0]!.applied.allowedApps).toEqual([
      'zoom',
      'anydesk',
      'calc',
      'CalculatorApp',
      'gnome-calculator',
    ]);
    expect(flags[0]!.expected.allowedApps).toEqual(['zoom', 'calc', 'CalculatorApp', 'gnome-calculator']);
  });

  it("AnyDesk added to the cached accommodation's apps is flagged for both", async () => {
    const edited = await takeExam((policy) => ({
      ...policy,
      accommodation: { name: 'calculator', allowedApps: ['calc', 'anydesk'] },
    }));
    expect((await flagsOf(edited.central, edited.sessionId)).map((f) => f.what)).toEqual([
      'accommodation',
      'lockdown',
    ]);
  });
});
