// An exam whose central definition requires a newer app cannot be started: the candidate is told how
// to update, and nothing is recorded. Runs on the embedded central store (PGlite) through the contract.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../../src-main/app/create-app';
import type { CallResponse } from '../../../src-preload/contract';
import { appVersion } from '../../../src-main/config/app-version';
import { seedDemoCentral } from '../../../src-main/demo/seed-central';
import { createTestApp, type TestApp } from '../../support/app';

let testApp: TestApp;
let app: VigilApp;
const ctx = { transport: 'host' as const, origin: 'test' };

async function enrolledExam(minAppVersion: string): Promise<string> {
  const central = await app.context.candidate.central();
  const { examId, code } = await seedDemoCentral(central);
  await sql`UPDATE vigil.exams SET policy = policy || ${JSON.stringify({ minAppVersion })}::jsonb
            WHERE id = ${examId}`.execute(central.db);
  const enrolled = await app.dispatcher.dispatch('candidateEnroll', { code }, ctx);
  expect(enrolled).toMatchObject({ ok: true, value: { enrolled: true } });
  return examId;
}

beforeAll(() => {
  testApp = createTestApp('host');
  app = testApp.app;
});
afterAll(async () => {
  await app.close();
  testApp.cleanup();
});

describe('minimum app version per exam', () => {
  it('says at the exam list, before consent, why the exam cannot start on this version', async () => {
    const examId = await enrolledExam('98.0.0');
    const overview = await app.dispatcher.dispatch('candidateOverview', {}, ctx);
    if (!overview.ok) throw new Error(overview.error.message);
    const exam = (overview.value as CallResponse<'candidateOverview'>).exams.find((e) => e.id === examId);
    expect(exam?.versionBlock).toEqual({
      required: '98.0.0',
      current: appVersion(),
      message: expect.stringMatching(
        new RegExp(
          `needs Vigil 98\\.0\\.0 or later; this computer has ${appVersion().replaceAll('.', '\\.')}\\.`,
        ),
      ) as unknown,
    });
    // This host has no updater: the advice is to ask IT, not to wait for a download.
    expect(exam?.versionBlock?.message).toMatch(/ask them to install Vigil 98\.0\.0/);
  }, 300_000);

  it('refuses an exam that needs a newer app, says how to update, and records nothing', async () => {
    const examId = await enrolledExam('99.0.0');
    const consent = await app.dispatcher.dispatch('candidateConsent', { examId, accepted: true }, ctx);
    expect(consent).toMatchObject({
      ok: false,
      error: {
        code: 'UPDATE_REQUIRED',
        details: { requiredVersion: '99.0.0', currentVersion: appVersion() },
      },
    });
    if (!consent.ok) expect(consent.error.message).toMatch(/99\.0\.0/);
    const overview = await app.dispatcher.dispatch('candidateOverview', {}, ctx);
    expect(overview).toMatchObject({ ok: true, value: { activeSession: null } });
  }, 300_000);
});
