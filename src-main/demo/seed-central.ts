// Seeds the demo's central store as an administrator would: a GEN exam with its key questions, a
// candidate, and a one-time enrollment code the demo then redeems through the contract.
import type { CentralStore } from '../central/connect';
import { createEnrollmentCode, createExam, createUser } from '../central/admin';

export const DEMO_EXAM = {
  title: 'Demo: general interview',
  type: 'GEN' as const,
  difficulty: 4,
  keyQuestions: [
    { question: 'Tell us about a project you are proud of and your part in it.', time_limit_s: 120 },
    { question: 'How do you make sure your work is reliable when nobody is checking it?', time_limit_s: 120 },
    { question: 'Describe a disagreement in a team and how it was resolved.', time_limit_s: 120 },
  ],
};

/** The candidate's scripted answers, one per key question. */
export const DEMO_ANSWERS = [
  'I led the rewrite of our clinic booking system. I designed the offline-first sync, wrote most of the ' +
    'tests and coached two junior developers; bookings lost to network failures dropped to zero.',
  'I write the tests before I trust the code, I automate the checks in continuous integration, and I keep ' +
    'a written checklist for releases so that every step is verified and nothing depends on memory.',
  'Two colleagues disagreed about a database choice. I asked both to write down their criteria, we ran a ' +
    'small benchmark together, and the data settled it; we documented the decision for the team.',
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
  return { examId, code };
}
