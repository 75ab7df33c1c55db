// Seeds the demo's central store as an administrator would: a GEN exam with its key questions, a
// candidate, and a one-time enrollment code the demo then redeems through the contract.
import type { CentralStore } from '../central/connect';
import { createEnrollmentCode, createExam, createUser } from '../central/admin';
import { appVersion } from '../config/app-version';
import { runningAppBuild } from '../lockdown/app-build';
import { addKnownBuild } from '../lockdown/known-builds';

export const DEMO_EXAM = {
  title: 'Demo: general interview',
  type: 'GEN' as const,
  difficulty: 4,
  keyQuestions: [
    {
      question:
        'Tell us about a software project you are proud of: what was the goal, what was your part in the project, and what was the result?',
      time_limit_s: 120,
    },
    {
      question:
        'How do you make sure your work is reliable when nobody is checking it: which habits, tests and checks do you rely on?',
      time_limit_s: 120,
    },
    {
      question:
        'Describe a disagreement in your team: what was it about, what did you do, and how was the disagreement resolved?',
      time_limit_s: 120,
    },
  ],
};

/** The candidate's scripted answers, one per key question. */
export const DEMO_ANSWERS = [
  'The software project I am most proud of was a booking system for a network of clinics. The goal of the ' +
    'project was that patients could book even when the network failed. My part in the project: first, I ' +
    'designed the offline booking flow; then I wrote most of the tests and coached two junior developers. As a ' +
    'result, no booking was lost in the first year, and phone calls to the clinics fell by 40 percent. I am ' +
    'proud of the project because the result was measured, not guessed.',
  'I make sure my work is reliable with habits that do not depend on anybody checking it. First, I write tests ' +
    'before I trust the code, and the tests and other checks run automatically on every change. Second, I keep ' +
    'a written checklist for each release, so every step is checked and nothing relies on memory. For example, ' +
    'when I wrote a payment export, I checked its totals against the ledger every night for a month. These ' +
    'habits make reliable work the default.',
  'The disagreement in my team was about which database to use for a new reporting service. Two colleagues ' +
    'disagreed strongly, and the discussion in the team went in circles. First, I asked both to write down what ' +
    'the database had to do for the team. Then we ran a small benchmark together with real data, because ' +
    'numbers are easier to agree on than opinions. As a result, the disagreement was resolved in two days, and ' +
    'we wrote the decision down so the team could revisit it later.',
];

export async function seedDemoCentral(central: CentralStore): Promise<{ examId: string; code: string }> {
  const candidateId = await createUser(central.db, {
    email: `demo-${Date.now()}@candidates.invalid`,
    role: 'candidate',
    displayName: 'Eileen Collins (demo)',
  });
  const examId = await createExam(central.db, {
    ...DEMO_EXAM,
    uploadMode: 'full',
    retentionDays: 30,
  });
  const { code } = await createEnrollmentCode(central.db, { candidateId, examId, ttlMinutes: 30 });
  // The demo is a release the administrator knows: register the running build, as IT does for each
  // release, so the server does not flag the demo session as coming from an unknown app build.
  const build = await runningAppBuild(appVersion());
  if (!build.buildHash.startsWith('unavailable'))
    await addKnownBuild(central.query, {
      appVersion: build.appVersion,
      buildHash: build.buildHash,
      note: 'demo',
    });
  return { examId, code };
}
