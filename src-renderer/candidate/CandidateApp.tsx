// The candidate's journey: enroll → choose exam → consent → system check → ID check → interview →
// finish. Main remembers the stage of an unfinished session, so a reload or a restart resumes it.
import { useEffect, useState } from 'react';
import type { CallResponse, CandidateExam, CandidateStage } from '../../src-preload/contract';
import type { CandidateApi } from '../../src-preload/contract-windows';
import { ErrorText } from '../components/Screen';
import { ConsentScreen } from './ConsentScreen';
import { EnrollScreen } from './EnrollScreen';
import { ExamListScreen } from './ExamListScreen';
import { FinishScreen } from './FinishScreen';
import { IdVerificationScreen } from './IdVerificationScreen';
import { InterviewScreen } from './InterviewScreen';
import { SystemCheckScreen } from './SystemCheckScreen';
import { useUpdateStatus } from './UpdateNotice';
import { useCapture } from './useCapture';

type Overview = CallResponse<'candidateOverview'>;
type Stage = 'loading' | 'enroll' | 'exams' | CandidateStage;

interface Active {
  exam: CandidateExam;
  sessionId?: string;
  resume: boolean;
  analysisFps: number;
  recordingError?: string;
}

export function CandidateApp({ api }: { api: CandidateApi }) {
  const [overview, setOverview] = useState<Overview>();
  const [stage, setStage] = useState<Stage>('loading');
  const [active, setActive] = useState<Active>();
  const [error, setError] = useState<string>();
  const update = useUpdateStatus(api);
  const updateState = update.status?.state;

  const apply = (o: Overview) => {
    setOverview(o);
    const session = o.activeSession;
    const exam = session && o.exams.find((e) => e.id === session.examId);
    if (!o.enrolled) setStage('enroll');
    else if (session && exam) {
      setActive({
        exam,
        sessionId: session.sessionId,
        resume: session.stage === 'interview',
        analysisFps: 2,
      });
      setStage(session.stage);
    } else setStage('exams');
  };

  useEffect(() => {
    void api.candidateOverview({}).then((r) => (r.ok ? apply(r.value) : setError(r.error.message)));
  }, [api]);
  // An exam's "needs a newer Vigil" advice depends on the update (downloading, ready): read it again
  // when the update moves on, while the exam list shows it.
  useEffect(() => {
    if (stage !== 'exams' || !updateState) return;
    void api.candidateOverview({}).then((r) => r.ok && setOverview(r.value));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a change of update state re-reads
  }, [api, updateState]);

  if (error) return <ErrorText message={error} />;
  if (stage === 'loading' || !overview) return <p role="status">Loading…</p>;
  if (stage === 'enroll')
    return (
      <EnrollScreen
        api={api}
        onEnrolled={apply}
        {...(overview.enrolled ? { onCancel: () => setStage('exams') } : {})}
      />
    );
  if (stage === 'exams' || !active) {
    return (
      <ExamListScreen
        candidateName={overview.candidateName}
        exams={overview.exams}
        online={overview.central.reachable}
        onStart={(exam) => {
          setActive({ exam, resume: false, analysisFps: 2 });
          setStage('consent');
        }}
        onEnrollAnother={() => setStage('enroll')}
        update={update}
      />
    );
  }
  if (stage === 'consent' || !active.sessionId) {
    return (
      <ConsentScreen
        exam={active.exam}
        online={overview.central.reachable}
        onCancel={() => setStage('exams')}
        onAccept={async (startCode) => {
          const r = await api.candidateConsent({
            examId: active.exam.id,
            accepted: true,
            ...(startCode ? { startCode } : {}),
          });
          if (!r.ok)
            return {
              message: r.error.message,
              needsStartCode: r.error.details?.reason === 'start_code_required',
            };
          setActive({ ...active, sessionId: r.value.sessionId });
          setStage('system_check');
          return undefined;
        }}
      />
    );
  }
  return (
    <CapturedStages
      api={api}
      stage={stage}
      active={active}
      sessionId={active.sessionId}
      onStage={(next, patch) => {
        setActive({ ...active, ...patch });
        setStage(next);
      }}
    />
  );
}

/** Stages that use the camera and microphone: capture starts only here, after consent. */
function CapturedStages({
  api,
  stage,
  active,
  sessionId,
  onStage,
}: {
  api: CandidateApi;
  stage: CandidateStage;
  active: Active;
  sessionId: string;
  onStage: (stage: CandidateStage, patch?: Partial<Active>) => void;
}) {
  const capture = useCapture();
  switch (stage) {
    case 'system_check':
      return (
        <SystemCheckScreen
          api={api}
          sessionId={sessionId}
          capture={capture}
          onPassed={(analysisFps) => onStage('id_verification', { analysisFps })}
        />
      );
    case 'id_verification':
      return (
        <IdVerificationScreen
          api={api}
          sessionId={sessionId}
          capture={capture}
          onDone={() => onStage('interview')}
        />
      );
    case 'interview':
      return (
        <InterviewScreen
          api={api}
          sessionId={sessionId}
          capture={capture}
          analysisFps={active.analysisFps}
          resume={active.resume}
          onFinished={(recordingError) => onStage('finish', recordingError ? { recordingError } : {})}
        />
      );
    default:
      return <FinishScreen api={api} sessionId={sessionId} recordingError={active.recordingError} />;
  }
}
