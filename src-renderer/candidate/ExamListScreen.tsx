import type { CandidateExam } from '../../src-preload/contract';
import { examTypeNames } from '../../src-preload/vocabulary';
import { Screen } from '../components/Screen';
import { RestartToUpdateButton, UpdateNotice, type UpdateControls } from './UpdateNotice';

/** What each exam's state means to the candidate. */
const STATE_TEXT: Record<CandidateExam['state'], string> = {
  ready: 'Not started yet.',
  in_progress: 'Started on this device and not finished.',
  finished: 'Finished on this device.',
  expired: 'Your enrollment for this exam has expired: ask for a new code and enroll it again.',
};

export function ExamListScreen({
  candidateName,
  exams,
  online,
  onStart,
  onEnrollAnother,
  update,
}: {
  candidateName: string | null;
  exams: CandidateExam[];
  online: boolean;
  onStart: (exam: CandidateExam) => void;
  /** Opens the enrollment screen for a code of another exam. */
  onEnrollAnother: () => void;
  /** The app update (its notice sits here, outside any exam). */
  update: UpdateControls;
}) {
  return (
    <Screen title={candidateName ? `Welcome, ${candidateName}` : 'Your exams'} testId="screen-exams">
      {!online && (
        <p role="status" className="notice">
          You are offline. Exams saved on this device can still be taken; everything is sent when the
          connection returns.
        </p>
      )}
      <UpdateNotice controls={update} />
      {exams.length === 0 && <p>No exam is assigned to this device yet.</p>}
      <ul className="card-list">
        {exams.map((exam) => (
          <li key={exam.id} className="card" data-testid="exam-card" data-exam-state={exam.state}>
            <h3>{exam.title}</h3>
            <p>
              {examTypeNames[exam.type]} · difficulty {exam.difficulty} of 10 · {exam.questionCount} questions
              · about {Math.ceil(exam.totalTimeS / 60)} minutes
            </p>
            <p>
              {exam.offlineReady ? 'Saved on this device: works offline.' : 'Needs a connection to start.'}
            </p>
            <p data-testid="exam-state">{STATE_TEXT[exam.state]}</p>
            {exam.versionBlock && (
              // Before consent: why this Vigil cannot start the exam, and the update if one is ready.
              <div data-testid="exam-version-block">
                <p className="version-block" id={`version-block-${exam.id}`}>
                  {exam.versionBlock.message}
                </p>
                <RestartToUpdateButton controls={update} />
              </div>
            )}
            <button
              type="button"
              onClick={() => onStart(exam)}
              disabled={
                exam.state === 'expired' || exam.versionBlock !== null || (!exam.offlineReady && !online)
              }
              {...(exam.versionBlock ? { 'aria-describedby': `version-block-${exam.id}` } : {})}
            >
              Start {exam.title}
            </button>
          </li>
        ))}
      </ul>
      <p>Have an enrollment code for another exam? Each exam keeps its own enrollment on this device.</p>
      <button type="button" onClick={onEnrollAnother} disabled={!online}>
        Enroll another exam
      </button>
      {!online && <p>Enrolling another exam needs a connection.</p>}
    </Screen>
  );
}
