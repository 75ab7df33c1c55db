import type { CandidateExam } from '../../src-preload/contract';
import { examTypeNames } from '../../src-preload/vocabulary';
import { Screen } from '../components/Screen';

export function ExamListScreen({
  candidateName,
  exams,
  online,
  onStart,
}: {
  candidateName: string | null;
  exams: CandidateExam[];
  online: boolean;
  onStart: (exam: CandidateExam) => void;
}) {
  return (
    <Screen title={candidateName ? `Welcome, ${candidateName}` : 'Your exams'} testId="screen-exams">
      {!online && (
        <p role="status" className="notice">
          You are offline. Exams saved on this device can still be taken; everything is sent when the
          connection returns.
        </p>
      )}
      {exams.length === 0 && <p>No exam is assigned to this device yet.</p>}
      <ul className="card-list">
        {exams.map((exam) => (
          <li key={exam.id} className="card">
            <h3>{exam.title}</h3>
            <p>
              {examTypeNames[exam.type]} · difficulty {exam.difficulty} of 10 · {exam.questionCount} questions
              · about {Math.ceil(exam.totalTimeS / 60)} minutes
            </p>
            <p>
              {exam.offlineReady ? 'Saved on this device: works offline.' : 'Needs a connection to start.'}
            </p>
            <button type="button" onClick={() => onStart(exam)} disabled={!exam.offlineReady && !online}>
              Start {exam.title}
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
