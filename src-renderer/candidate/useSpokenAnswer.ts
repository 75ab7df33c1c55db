// The state of one spoken answer on the interview screen: not yet recorded, recording (with its
// running length), or recorded (kept until it is submitted or recorded again). Everything belongs
// to one question, so a new question starts with nothing recorded; `collect` stops a running
// recording and hands over what was recorded, which is what happens at the time limit.
import { useCallback, useEffect, useRef, useState } from 'react';
import { MAX_SPOKEN_ANSWER_BYTES } from '../../src-preload/contract-interview';
import { startAnswerRecording, type AnswerRecording, type AnswerTake } from '../capture/answer-recorder';

export type SpokenPhase = 'idle' | 'recording' | 'recorded';

export interface SpokenAnswer {
  phase: SpokenPhase;
  elapsedMs: number;
  error: string | undefined;
  start: () => void;
  stop: () => Promise<void>;
  /** Drops the recorded answer and records a new one. */
  redo: () => void;
  /** Stops if recording and returns the answer recorded for this question, if any. */
  collect: () => Promise<AnswerTake | undefined>;
}

interface Recorded {
  questionId: string | undefined;
  phase: SpokenPhase;
  elapsedMs: number;
}

export function useSpokenAnswer(
  stream: MediaStream | undefined,
  questionId: string | undefined,
): SpokenAnswer {
  const [rec, setRec] = useState<Recorded>({ questionId, phase: 'idle', elapsedMs: 0 });
  const [error, setError] = useState<string>();
  const recording = useRef<{ questionId: string | undefined; r: AnswerRecording } | undefined>(undefined);
  const take = useRef<{ questionId: string | undefined; take: AnswerTake } | undefined>(undefined);
  const current = rec.questionId === questionId ? rec : { questionId, phase: 'idle' as const, elapsedMs: 0 };

  const stop = useCallback(async () => {
    const running = recording.current;
    if (!running) return;
    recording.current = undefined;
    const done = await running.r.stop();
    take.current = { questionId: running.questionId, take: done };
    setRec({ questionId: running.questionId, phase: 'recorded', elapsedMs: done.durationMs });
  }, []);

  const start = useCallback(() => {
    if (!stream || recording.current) return;
    try {
      take.current = undefined;
      recording.current = {
        questionId,
        r: startAnswerRecording(stream, { maxBytes: MAX_SPOKEN_ANSWER_BYTES, onLimit: () => void stop() }),
      };
      setError(undefined);
      setRec({ questionId, phase: 'recording', elapsedMs: 0 });
    } catch (e) {
      setError((e as Error).message);
    }
  }, [stream, questionId, stop]);

  const redo = useCallback(() => {
    recording.current?.r.cancel();
    recording.current = undefined;
    take.current = undefined;
    start();
  }, [start]);

  const collect = useCallback(async () => {
    await stop();
    const kept = take.current;
    return kept && kept.questionId === questionId ? kept.take : undefined;
  }, [stop, questionId]);

  // Leaving the question drops a recording still running for it.
  useEffect(
    () => () => {
      recording.current?.r.cancel();
      recording.current = undefined;
    },
    [questionId],
  );

  useEffect(() => {
    if (current.phase !== 'recording') return;
    const timer = setInterval(
      () => setRec((r) => ({ ...r, elapsedMs: recording.current?.r.elapsedMs() ?? r.elapsedMs })),
      250,
    );
    return () => clearInterval(timer);
  }, [current.phase]);

  return { phase: current.phase, elapsedMs: current.elapsedMs, error, start, stop, redo, collect };
}
