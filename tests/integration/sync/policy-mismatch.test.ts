// The server checks what the device applied (issue 18 item 3). The candidate edits the exam cached
// in the local SQLite before the exam (kiosk off, 300 % extra time) and takes it: the chain carries
// what was applied, and the central server raises a high `policy_mismatch` flag for the lockdown and
// for the accommodation. The cache is sealed (issue 18 item 4), so the edit here is the one sealing
// cannot stop: a candidate who has had the exam's key once (it is released to their device at the
// start) opens the sealed content, edits it and seals it again with the same key. An unedited installation of the same exam raises none, which also proves
// the server's lockdown defaults (central 0434) are this app's.
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

interface Flag {
  what: string;
  severity: string;
  source: string;
  applied: Record<string, unknown>;
}

async function flagsOf(central: CentralStore, sessionId: string): Promise<Flag[]> {
  return central.query<Flag>(
    `SELECT details->>'what' AS what, severity, source, details->'applied' AS applied FROM vigil.warnings
     WHERE session_id = $1 AND type = 'policy_mismatch' ORDER BY details->>'what'`,
    [sessionId],
  );
}

/** Enrolls, lets `edit` change the cached exam, then runs the checks and starts the interview. */
async function takeExam(edit?: (t: TestApp, examId: string) => Promise<void>) {
  const t = createTestApp('host');
  apps.push(t);
  const call = async <C extends CallName>(name: C, request: CallRequest<C>) => {
    const result = await t.app.dispatcher.dispatch(name, request, ctx);
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result.value as CallResponse<C>;
  };
  const central = await t.app.context.candidate.central();
  const { examId, code } = await seedDemoCentral(central);
  await call('candidateEnroll', { code });
  await edit?.(t, examId);
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
  // The uploader sends the chain in the background; wait until the interview's start is central.
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
  return { central, sessionId };
}

describe('the server checks the policy the device applied', () => {
  it('flags an edited cached policy and accommodation, and nothing for an unedited one', async () => {
    const edited = await takeExam(async (t, examId) => {
      const store = await t.app.context.candidate.store();
      const enrollment = enrollmentFor(store, examId)!;
      const token = createTokenVaults(t.dir).forFile(enrollment.tokenFile).load()!;
      const channel = sqlDeviceChannel((await t.app.context.candidate.central()).query);
      const { key } = await channel.releaseExamKey(token, examId);
      const row = store.raw.prepare('SELECT sealed FROM cached_exams WHERE id = ?').get(examId) as {
        sealed: Buffer;
      };
      const exam = openSealed(Buffer.from(row.sealed), key) as CachedExam;
      exam.policy = {
        ...exam.policy,
        lockdown: { kiosk: false, clipboard: 'allow' },
        accommodation: { name: 'extra time', extraTimePercent: 300 },
      };
      store.raw
        .prepare('UPDATE cached_exams SET sealed = ? WHERE id = ?')
        .run(sealContent(exam, key), examId);
    });
    const flags = await flagsOf(edited.central, edited.sessionId);
    expect(flags.map((f) => [f.what, f.severity, f.source])).toEqual([
      ['accommodation', 'high', 'server'],
      ['lockdown', 'high', 'server'],
    ]);
    expect(flags[0]!.applied).toMatchObject({ extraTimePercent: 300 });
    expect(flags[1]!.applied).toMatchObject({ kiosk: false, clipboard: 'allow' });

    const honest = await takeExam();
    expect(await flagsOf(honest.central, honest.sessionId)).toEqual([]);
  });
});
