import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload, InterviewState } from '../../src-preload/contract';
import type { CandidateApi } from '../../src-preload/contract-windows';
import { startAudioMeter, type AudioLevel } from '../capture/audio-meter';
import { startAnalysisFrames } from '../capture/analysis-frames';
import { startRecording, type RecordingHandle, type RecordingStatus } from '../capture/recorder';
import { ErrorText, Screen } from '../components/Screen';
import { SpokenAnswerPanel } from './SpokenAnswerPanel';
import { timeAnnouncement } from './time-announcements';
import type { Capture } from './useCapture';
import { useSpokenAnswer } from './useSpokenAnswer';

function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

export function InterviewScreen({
  api,
  sessionId,
  capture,
  analysisFps,
  resume,
  onFinished,
}: {
  api: CandidateApi;
  sessionId: string;
  capture: Capture;
  analysisFps: number;
  resume: boolean;
  /** Main knows which recording is the session's; only why it could not stop comes from here. */
  onFinished: (recordingError?: string) => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<InterviewState>();
  const [text, setText] = useState('');
  const [remainingMs, setRemainingMs] = useState(0);
  const [notices, setNotices] = useState<Record<string, string>>({});
  const [recording, setRecording] = useState<RecordingStatus>();
  const [sync, setSync] = useState<EventPayload<'syncStatus'>>();
  const [error, setError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const handle = useRef<Promise<RecordingHandle | undefined> | undefined>(undefined);
  const deadline = useRef(0);
  const breakDeadline = useRef(0);
  const [breakLeftMs, setBreakLeftMs] = useState(0);
  // The time left as the screen reader hears it (time-announcements.ts), and the last reading.
  const [announcement, setAnnouncement] = useState('');
  const lastLeft = useRef(0);
  const textRef = useRef('');
  const finished = useRef(false);
  const busy = useRef(false);
  const spoken = useSpokenAnswer(
    capture.stream,
    state?.question?.answerMode === 'spoken' ? state.question.id : undefined,
  );

  const collectSpoken = spoken.collect;

  const show = useCallback((next: InterviewState) => {
    setState(next);
    if (next.question) {
      setText(next.question.draft);
      textRef.current = next.question.draft;
      deadline.current = performance.now() + next.question.remainingMs;
      setRemainingMs(next.question.remainingMs);
      lastLeft.current = next.question.remainingMs;
    }
    const pause = next.breaks?.active;
    if (pause) {
      breakDeadline.current = performance.now() + pause.remainingMs;
      setBreakLeftMs(pause.remainingMs);
      lastLeft.current = pause.remainingMs;
    }
  }, []);

  // Load (or resume) the interview.
  useEffect(() => {
    void (
      resume ? api.candidateInterviewState({ sessionId }) : api.candidateBeginInterview({ sessionId })
    ).then((r) => (r.ok ? show(r.value) : setError(r.error.message)));
  }, [api, sessionId, resume, show]);

  // Record, analyse frames and measure audio while the interview runs.
  useEffect(() => {
    if (!capture.stream || !video.current) return;
    video.current.srcObject = capture.stream;
    let cancelled = false;
    handle.current = startRecording({
      api,
      stream: capture.stream,
      expectedDurationS: 3600,
      onStatus: setRecording,
    })
      .then((h) => {
        if (cancelled) void h.stop();
        return h;
      })
      .catch((e: Error) => {
        setError(`Recording could not start: ${e.message}`);
        return undefined;
      });
    const sampler = startAnalysisFrames({ api, sessionId, video: video.current, fps: analysisFps });
    let levels: AudioLevel[] = [];
    const stopMeter = startAudioMeter(capture.stream, (level) => levels.push(level));
    const flush = setInterval(() => {
      if (levels.length === 0) return;
      const frames = levels.slice(-100);
      levels = [];
      void api.candidateAudio({ sessionId, frames });
    }, 500);
    return () => {
      cancelled = true;
      sampler.stop();
      stopMeter();
      clearInterval(flush);
    };
  }, [api, capture.stream, sessionId, analysisFps]);

  // Focus: in the browser host the page is the only witness of a switch to another window or tab
  // (the desktop shell watches its own window, and main then ignores this report). Changes are
  // sent, and the state once on arrival: a reload or restart mid-interview comes back here, and a
  // loss left open by the page before it must end. Unloading hides the tab too; that is not a
  // focus loss (pagehide comes first).
  useEffect(() => {
    const now = () => document.visibilityState === 'visible' && document.hasFocus();
    let reported = now();
    let leaving = false;
    void api.candidateFocus({ sessionId, focused: reported });
    const send = (focused: boolean) => {
      if (leaving || focused === reported) return;
      reported = focused;
      void api.candidateFocus({ sessionId, focused });
    };
    const onBlur = () => send(false);
    const onFocus = () => send(true);
    const onVisibility = () => send(now());
    const onPageHide = () => (leaving = true);
    window.addEventListener('blur', onBlur);
    window.addEventListener('focus', onFocus);
    window.addEventListener('pagehide', onPageHide);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('focus', onFocus);
      window.removeEventListener('pagehide', onPageHide);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [api, sessionId]);

  useEffect(() => api.on('syncStatus', setSync), [api]);

  useEffect(
    () =>
      api.on('candidateNotice', (n: EventPayload<'candidateNotice'>) => {
        if (n.sessionId !== sessionId) return;
        setNotices((current) => {
          const next = { ...current };
          if (n.active) next[n.key] = n.message;
          else delete next[n.key];
          return next;
        });
      }),
    [api, sessionId],
  );

  const finish = useCallback(async () => {
    if (finished.current) return;
    finished.current = true;
    // Finishing right after a reload waits for the new recorder to have started.
    const recorder = await handle.current;
    let recordingError: string | undefined;
    try {
      await recorder?.stop();
    } catch (error) {
      // The segments are kept on disk; main records why and merges them again after the session.
      recordingError = (error as Error).message;
    }
    onFinished(recordingError);
  }, [onFinished]);

  // Submits the answer (the recorded audio of a spoken one, with any notes), optionally followed
  // by a break. At the time limit this runs by itself and keeps what was recorded.
  const submit = useCallback(
    async (thenBreak = false) => {
      const q = state?.question;
      if (!q || busy.current) return;
      busy.current = true;
      setSubmitting(true);
      const take = q.answerMode === 'spoken' ? await collectSpoken() : undefined;
      const extra = thenBreak ? { thenBreak: true } : {};
      const r =
        take && take.blob.size > 0
          ? await api.candidateSubmitSpokenAnswer({
              sessionId,
              questionId: q.id,
              mimeType: take.mimeType,
              audio: new Uint8Array(await take.blob.arrayBuffer()),
              durationMs: take.durationMs,
              text: textRef.current,
              ...extra,
            })
          : await api.candidateSubmitAnswer({ sessionId, questionId: q.id, text: textRef.current, ...extra });
      busy.current = false;
      setSubmitting(false);
      if (!r.ok) return setError(r.error.message);
      setError(undefined);
      show(r.value);
    },
    [api, sessionId, state, show, collectSpoken],
  );

  const endBreak = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    const r = await api.candidateEndBreak({ sessionId });
    busy.current = false;
    if (!r.ok) return setError(r.error.message);
    show(r.value);
  }, [api, sessionId, show]);

  // The break's countdown; when it is over main has already asked the next question.
  useEffect(() => {
    if (!state?.breaks?.active) return;
    const timer = setInterval(() => {
      const left = breakDeadline.current - performance.now();
      setBreakLeftMs(left);
      const said = timeAnnouncement(lastLeft.current, left, 'your break');
      lastLeft.current = left;
      if (said) setAnnouncement(said);
      if (left <= 0) {
        clearInterval(timer);
        void api
          .candidateInterviewState({ sessionId })
          .then((r) => (r.ok ? show(r.value) : setError(r.error.message)));
      }
    }, 250);
    return () => clearInterval(timer);
  }, [api, sessionId, state, show]);

  // The countdown; at the limit the answer so far is submitted (main keeps it in any case).
  useEffect(() => {
    if (!state?.question) return;
    const timer = setInterval(() => {
      const left = deadline.current - performance.now();
      setRemainingMs(left);
      // Named by its number: the same words for the next question would not be announced again.
      const said = timeAnnouncement(lastLeft.current, left, `question ${(state.question?.index ?? 0) + 1}`);
      lastLeft.current = left;
      if (said) setAnnouncement(said);
      if (left <= 0) {
        clearInterval(timer);
        void submit();
      }
    }, 250);
    return () => clearInterval(timer);
  }, [state, submit]);

  // Autosave the draft a moment after typing stops.
  useEffect(() => {
    if (!state?.question) return;
    const questionId = state.question.id;
    const timer = setTimeout(() => void api.candidateSaveDraft({ sessionId, questionId, text }), 700);
    return () => clearTimeout(timer);
  }, [api, sessionId, state, text]);

  useEffect(() => {
    if (state?.done) void finish();
  }, [state, finish]);

  const q = state?.question;
  const pause = state?.breaks?.active;
  const breaksLeft = state?.breaks ? state.breaks.allowed - state.breaks.used : 0;
  const isSpoken = q?.answerMode === 'spoken';
  const noticeList = Object.entries(notices);
  return (
    <Screen
      title={q ? `Question ${q.index + 1} of ${q.total}` : pause ? 'Break' : 'Interview'}
      testId="screen-interview"
    >
      <div className="interview">
        <div className="question-area">
          {q && (
            <>
              <p className="question-text" data-testid="question-text">
                {q.text}
              </p>
              <p className="timer" role="timer" aria-live="off" data-testid="timer">
                Time left: {formatRemaining(remainingMs)}
              </p>
              {q.timeLimitS !== q.baseTimeLimitS && (
                <p className="hint" data-testid="extra-time">
                  Your time includes your extra time ({state.accommodation.extraTimePercent}%):{' '}
                  {formatRemaining(q.timeLimitS * 1000)} instead of {formatRemaining(q.baseTimeLimitS * 1000)}
                  .
                </p>
              )}
              {isSpoken && <SpokenAnswerPanel spoken={spoken} disabled={submitting} />}
              <label htmlFor="answer">{isSpoken ? 'Written notes (optional)' : 'Your answer'}</label>
              <textarea
                id="answer"
                rows={isSpoken ? 4 : 10}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  textRef.current = e.target.value;
                }}
              />
              <div className="actions">
                <button type="button" onClick={() => void submit()} disabled={submitting}>
                  {q.index + 1 === q.total ? 'Submit and finish' : 'Submit and continue'}
                </button>
                {breaksLeft > 0 && q.index + 1 < q.total && (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void submit(true)}
                    disabled={submitting}
                    aria-describedby="break-hint"
                  >
                    Submit and take a break
                  </button>
                )}
              </div>
              {breaksLeft > 0 && q.index + 1 < q.total && state.breaks && (
                <p className="hint" id="break-hint">
                  You may take {breaksLeft} more break{breaksLeft === 1 ? '' : 's'} of up to{' '}
                  {formatRemaining(state.breaks.maxMs)} between questions. No question timer runs during a
                  break.
                </p>
              )}
            </>
          )}
          {pause && (
            <div className="break-panel" data-testid="break">
              <p>
                You are on a break. No question is running and no proctoring checks run; the camera recording
                continues.
              </p>
              <p className="timer" role="timer" aria-live="off" data-testid="break-timer">
                Break time left: {formatRemaining(breakLeftMs)}
              </p>
              <p>Question {pause.nextIndex + 1} starts when you continue, or when the break time is over.</p>
              <button type="button" onClick={() => void endBreak()}>
                Continue with question {pause.nextIndex + 1}
              </button>
            </div>
          )}
          {state?.done && <p role="status">All questions answered. Saving your recording…</p>}
        </div>
        <aside className="status-area" aria-label="Session status">
          <video ref={video} autoPlay muted playsInline aria-label="Your camera" className="small-preview" />
          <p data-testid="recording-status">
            Recording: {recording ? `${recording.state}, ${recording.chunksAcked} parts saved` : 'starting'}
          </p>
          <p data-testid="connection-status">
            Connection:{' '}
            {!sync
              ? 'checking'
              : sync.state === 'offline'
                ? 'offline — everything is saved on this computer'
                : 'online'}
            {sync && sync.pendingItems + sync.pendingBlobs > 0
              ? ` · ${sync.pendingItems + sync.pendingBlobs} items waiting to be sent`
              : ''}
            {/* Kept on this computer with the server's reason (e.g. the exam's storage quota). */}
            {sync && sync.rejectedBlobs > 0
              ? ` · ${sync.rejectedBlobs} file(s) refused by the server and kept on this computer: tell your proctor`
              : ''}
          </p>
          {/* Polite: read out when the candidate pauses, never interrupting what they are typing. */}
          <p className="visually-hidden" aria-live="polite" data-testid="timer-announcement">
            {announcement}
          </p>
          <div aria-live="polite" data-testid="notices">
            {noticeList.map(([key, message]) => (
              <p key={key} className="notice">
                {message}
              </p>
            ))}
          </div>
        </aside>
      </div>
      <ErrorText message={error} />
    </Screen>
  );
}
