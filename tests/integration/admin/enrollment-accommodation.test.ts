// Accommodations per candidate, end to end on real PostgreSQL: the admin gives one of the exam's
// profiles to one candidate at enrollment, fetch_exam hands that candidate's device the exam policy
// with the profile as `policy.accommodation`, and the cached exam drives timers, breaks and detectors;
// the other candidate of the same exam keeps the exam's own policy. Unknown profiles are refused by
// the service (typed, naming the exam's profiles) and, as a backstop, by the database.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService } from '../../../src-main/admin/admin-service';
import { VigilError } from '../../../src-main/errors';
import { extendedLimitS } from '../../../src-main/interview/accommodation';
import { resolvePolicy } from '../../../src-main/proctoring/policy';
import { accommodationOf } from '../../../src-main/session/exam-options';
import { createTokenVaults } from '../../../src-main/store/device-credentials';
import { openLocalStore } from '../../../src-main/store/local-store';
import { openExamForStart } from '../../../src-main/session/exam-start';
import { enrollDevice } from '../../../src-main/sync/enroll';
import { startCentral, type CentralFixture } from '../../support/central';
import { makeTempDir } from '../../support/temp-dir';

let central: CentralFixture;
let admin: AdminService;
const temp = makeTempDir();
beforeAll(async () => {
  central = await startCentral();
  admin = new AdminService(central.owner.query);
}, 60_000);
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

const EXTRA_TIME = {
  name: 'extra time 50%',
  extraTimePercent: 50,
  breaks: { count: 1, maxMinutes: 5 },
  detectors: 'no_gaze',
  notes: 'letter of 2026-10-01',
};

async function examWithProfiles(title: string): Promise<string> {
  return admin.saveExam({
    title,
    type: 'SKL',
    difficulty: 5,
    keyQuestions: [{ question: 'Why?', time_limit_s: 60 }],
    policy: { spokenAnswers: [1] },
    accommodationProfiles: [EXTRA_TIME, { name: 'interpreter', detectors: 'interpreter_present' }],
  });
}

async function deviceFor(code: string, name: string) {
  const dir = path.join(temp.dir, name);
  fs.mkdirSync(dir);
  const store = await openLocalStore(path.join(dir, 'vigil.db'));
  try {
    const vaults = createTokenVaults(dir);
    const { exam } = await enrollDevice({ store, channel: central.channel, vaults, code, label: name });
    // What the device reads at the start: the sealed exam opened with the key the server releases.
    return await openExamForStart({ store, tokens: vaults, central: async () => central.channel }, exam.id);
  } finally {
    await store.close();
  }
}

async function enrollmentCount(examId: string): Promise<number> {
  const [row] = await central.owner.query<{ n: string }>(
    `SELECT count(*) AS n FROM vigil.enrollments WHERE exam_id = $1`,
    [examId],
  );
  return Number(row!.n);
}

describe('accommodation per candidate', () => {
  it('reaches only the device of the candidate it was given to', async () => {
    const examId = await examWithProfiles('Per-candidate exam');
    const [withProfile, without] = await admin.createEnrollments({
      examId,
      candidates: [
        { email: 'ada@example.org', name: 'Ada', accommodation: 'extra time 50%' },
        { email: 'ben@example.org', name: 'Ben' },
      ],
    });
    const listed = await admin.list('enrollments', { examId });
    expect(listed.map((r) => [r.candidate_email, r.accommodation]).sort()).toEqual([
      ['ada@example.org', 'extra time 50%'],
      ['ben@example.org', null],
    ]);

    const adaExam = await deviceFor(withProfile!.code, 'ada');
    const ada = accommodationOf(adaExam.policy);
    expect(ada).toMatchObject({
      name: 'extra time 50%',
      extraTimePercent: 50,
      breaks: { count: 1, maxMinutes: 5 },
      detectors: 'no_gaze',
    });
    expect(extendedLimitS(60, ada)).toBe(90);
    // The rest of the exam policy still travels with it.
    expect(adaExam.policy.spokenAnswers).toEqual([1]);
    expect(resolvePolicy(undefined, ada.detectors).lookingAway.enabled).toBe(false);

    const benExam = await deviceFor(without!.code, 'ben');
    expect(benExam.policy).toEqual({ spokenAnswers: [1] });
    expect(accommodationOf(benExam.policy)).toEqual({
      name: 'standard',
      extraTimePercent: 0,
      breaks: null,
      detectors: undefined,
      allowedApps: [],
    });
    // Same exam, same everything else.
    expect({ ...adaExam, policy: null }).toEqual({ ...benExam, policy: null });
  }, 60_000);

  it('refuses an unknown profile with a typed error naming the exam’s profiles, enrolling nobody', async () => {
    const examId = await examWithProfiles('Typo exam');
    const attempt = admin.createEnrollments({
      examId,
      candidates: [{ email: 'cy@example.org' }, { email: 'di@example.org', accommodation: 'extra time 5O%' }],
    });
    await expect(attempt).rejects.toBeInstanceOf(VigilError);
    await expect(attempt).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('extra time 50%, interpreter') as string,
      details: { accommodation: 'extra time 5O%', known: ['extra time 50%', 'interpreter'] },
    });
    expect(await enrollmentCount(examId)).toBe(0);
  });

  it('replaces fetch_exam in place: still definer, pinned search_path, device-only', async () => {
    const [fn] = await central.owner.query(
      `SELECT p.prosecdef AS definer, p.proconfig AS config,
              has_function_privilege('vigil_device', p.oid, 'EXECUTE') AS device,
              EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public
       FROM pg_proc p WHERE p.oid = 'vigil.fetch_exam(text)'::regprocedure`,
    );
    expect(fn).toEqual({
      definer: true,
      config: ['search_path=pg_catalog, pg_temp'],
      device: true,
      public: false,
    });
  });

  it('keeps the database consistent even without the service', async () => {
    const examId = await examWithProfiles('Backstop exam');
    const [row] = await admin.createEnrollments({
      examId,
      candidates: [{ email: 'eve@example.org', accommodation: 'interpreter' }],
    });
    await expect(
      central.owner.query(`UPDATE vigil.enrollments SET accommodation = 'nope' WHERE id = $1`, [
        row!.enrollmentId,
      ]),
    ).rejects.toMatchObject({ code: '23514' });
    // The exam cannot drop a profile a candidate still holds…
    await expect(
      admin.saveExam(
        { title: 'Backstop exam', type: 'SKL', difficulty: 5, accommodationProfiles: [EXTRA_TIME] },
        examId,
      ),
    ).rejects.toMatchObject({ code: '23514' });
    // …and profiles the device could not apply are refused before they are stored.
    await expect(
      admin.saveExam({
        title: 'Bad detectors',
        type: 'SKL',
        difficulty: 5,
        accommodationProfiles: [{ name: 'x', detectors: 'no_camera' }],
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { detectors: 'no_camera' } });
    // A profile stored before the shapes were unified (here 12.5 % extra time) is not handed out.
    const legacy = await examWithProfiles('Legacy exam');
    await central.owner.query(
      `UPDATE vigil.exams SET accommodation_profiles = '[{"name": "legacy", "extraTimePercent": 12.5}]' WHERE id = $1`,
      [legacy],
    );
    await expect(
      admin.createEnrollments({
        examId: legacy,
        candidates: [{ email: 'fay@example.org', accommodation: 'legacy' }],
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await enrollmentCount(legacy)).toBe(0);
    await expect(
      admin.saveExam({
        title: 'Bad timing',
        type: 'SKL',
        difficulty: 5,
        accommodationProfiles: [{ name: 'x', extraTimePercent: 12.5 }],
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
