import { useEffect, useRef, useState } from 'react';
import type { CallResponse } from '../../src-preload/contract';
import type { CandidateApi } from '../../src-preload/contract-windows';
import { startFrameSampler, type FrameSampler } from '../capture/frame-sampler';
import { ErrorText, Screen } from '../components/Screen';
import type { Capture } from './useCapture';

type IdResult = CallResponse<'candidateVerifyId'>;

const decisionText: Record<IdResult['decision'], string> = {
  verified: 'Your ID is verified.',
  needs_review: 'A proctor will check your ID after the exam. You can continue.',
  rejected:
    'Your ID could not be matched to you. Retake the photos, or continue and a proctor will review it.',
};

export function IdVerificationScreen({
  api,
  sessionId,
  capture,
  onDone,
}: {
  api: CandidateApi;
  sessionId: string;
  capture: Capture;
  onDone: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const sampler = useRef<FrameSampler | undefined>(undefined);
  const [card, setCard] = useState<Uint8Array<ArrayBuffer>>();
  const [result, setResult] = useState<IdResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // The result replaces the button that had focus: focus goes to the decision, so a keyboard or
  // screen-reader user hears it and continues from there instead of from the top of the page.
  const decision = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (result) decision.current?.focus();
  }, [result]);

  useEffect(() => {
    if (!capture.stream || !video.current) return;
    video.current.srcObject = capture.stream;
    sampler.current = startFrameSampler({
      video: video.current,
      fps: 0,
      maxWidth: 1280,
      onFrame: async () => undefined,
    });
    return () => sampler.current?.stop();
  }, [capture.stream]);

  const captureCard = async () => {
    const frame = await sampler.current?.grab();
    if (frame) setCard(frame.jpeg);
    else setError('The camera is not ready yet. Try again in a moment.');
  };
  const uploadCard = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > 10 * 1024 * 1024)
      return setError('That photo is larger than 10 MB. Choose a smaller one.');
    setCard(new Uint8Array(await file.arrayBuffer()));
  };
  const verify = async () => {
    if (!card) return;
    setBusy(true);
    setError(undefined);
    const live = await sampler.current?.grab();
    if (!live) {
      setBusy(false);
      return setError('The camera is not ready yet. Try again in a moment.');
    }
    const r = await api.candidateVerifyId({ sessionId, card, live: live.jpeg });
    setBusy(false);
    if (r.ok) setResult(r.value);
    else setError(r.error.message);
  };

  return (
    <Screen title="Verify your identity" testId="screen-id">
      <div className="preview">
        <video ref={video} autoPlay muted playsInline aria-label="Your camera" />
      </div>
      {!result && (
        <>
          <p>
            Hold your ID card up to the camera and capture it, or upload a photo of it. Then look at the
            camera.
          </p>
          <div className="actions">
            <button type="button" onClick={() => void captureCard()}>
              Capture card
            </button>
            <label htmlFor="id-upload" className="file-label">
              Upload a photo of your ID
            </label>
            <input
              id="id-upload"
              type="file"
              accept="image/jpeg,image/png"
              onChange={(e) => void uploadCard(e.target.files?.[0])}
            />
          </div>
          {card && (
            <p role="status" data-testid="card-ready">
              Card photo ready ({Math.round(card.length / 1024)} KB).
            </p>
          )}
          <button type="button" disabled={!card || busy} onClick={() => void verify()}>
            {busy ? 'Checking your ID…' : 'Check my ID'}
          </button>
        </>
      )}
      {result && (
        <div data-testid="id-result">
          <p role="status" className={`decision ${result.decision}`} tabIndex={-1} ref={decision}>
            {decisionText[result.decision]}
          </p>
          <dl className="fields">
            <dt>Name</dt>
            <dd>{result.fields.name ?? 'not read'}</dd>
            <dt>Document number</dt>
            <dd>{result.fields.documentNumber ?? 'not read'}</dd>
            <dt>Date of birth</dt>
            <dd>{result.fields.dateOfBirth ?? 'not read'}</dd>
            <dt>Expiry</dt>
            <dd>{result.fields.expiry ?? 'not read'}</dd>
            <dt>Face match</dt>
            <dd>
              {result.faceMatch === null
                ? // No comparison ran: the card or the camera frame had no usable face (the reasons say which).
                  'not compared, see the reasons below'
                : `${Math.round(result.faceMatch * 100)} %`}
            </dd>
          </dl>
          {result.reasons.length > 0 && (
            <ul aria-label="Reasons">
              {result.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
          <div className="actions">
            <button
              type="button"
              className="secondary"
              onClick={() => (setResult(undefined), setCard(undefined))}
            >
              Retake
            </button>
            <button type="button" onClick={onDone}>
              Continue to the exam
            </button>
          </div>
        </div>
      )}
      <ErrorText message={error} />
    </Screen>
  );
}
