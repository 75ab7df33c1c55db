// Child process for the spoken-answer kill -9 test: on an enrolled device, starts an interview of
// many questions and answers them by voice through the candidate session's own path
// (storeSpokenAnswer on the one local store), printing `ack <questionId>` after each answer returned.
// The test bundles this file to plain .mjs once; the child loads, then waits for `go` on stdin.
import { randomBytes, randomUUID } from 'node:crypto';
import readline from 'node:readline';
import { systemMonotonicClock } from '../../../src-main/interview/clock';
import { InterviewSessionFlow } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema } from '../../../src-main/interview/types';
import { storeSpokenAnswer } from '../../../src-main/session/interview-extras';
import { latestEnrollment, saveEnrollment } from '../../../src-main/store/enrollments';
import { openLocalStore } from '../../../src-main/store/local-store';
import { startSession } from '../../../src-main/store/sessions';

const QUESTIONS = 100;

const [file, sessionId, audioDir] = process.argv.slice(2) as [string, string, string];
const parent = process.ppid;
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
const store = await openLocalStore(file, { migrate: false });
if (!latestEnrollment(store))
  store.write('enroll', (tx) =>
    saveEnrollment(tx, {
      deviceId: 'kill9-device',
      candidateId: 'kill9-candidate',
      examId: 'kill9-exam',
      tokenStorage: 'file',
      enrolledAt: new Date().toISOString(),
      expiresAt: null,
    }),
  );
const examId = randomUUID();
store.write('start', (tx) => startSession(tx, { examId, id: sessionId }));
const exam = ExamSchema.parse({
  id: examId,
  title: 'Spoken kill -9',
  type: 'GEN',
  difficulty: 3,
  key_questions: Array.from({ length: QUESTIONS }, (_, i) => ({
    question: `Question ${i + 1}?`,
    time_limit_s: 600,
  })),
});
const flow = InterviewSessionFlow.start(
  { repo: new InterviewRepository(store), clock: systemMonotonicClock, audioDir },
  { sessionId, exam },
);
process.stdout.write('ready\n');
for (let n = 0; n < QUESTIONS; n++) {
  const questionId = flow.state().current!.id;
  storeSpokenAnswer(store, flow, sessionId, {
    questionId,
    mimeType: 'audio/webm',
    audio: randomBytes(32 * 1024),
    durationMs: 1500,
    text: n % 3 === 0 ? `Notes ${n}` : '',
  });
  process.stdout.write(`ack ${questionId}\n`);
  if (n % 20 === 0 && process.ppid !== parent) process.exit(2);
}
// Every question answered: wait for the kill.
setInterval(() => {
  if (process.ppid !== parent) process.exit(2);
}, 1000);
