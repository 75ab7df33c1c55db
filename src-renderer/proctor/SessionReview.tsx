// One session's review: timeline with every warning, the video jumping to the selected warning (its
// clip in flags-only mode, with the session's poster frame), snapshot gallery, ID check, answers
// with the evaluation's per-answer scores, the exam's resume and job listing, every report version,
// per-warning confirm/dismiss and the session decision. Everything works from the keyboard (see KEYS).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallResponse } from '../../src-preload/contract';
import type { ConsoleApi } from '../../src-preload/contract-windows';
import { formatOffset, isTyping, label } from './keys';
import { AnswersPanel, ExamDocumentsPanel, IdCheckPanel, ReportsPanel } from './ReviewDetails';
import { RefusedWritesPanel } from './RefusedWrites';
import { RiskFactors } from './RiskFactors';
import { Snapshot } from './Snapshot';
import { useBlobUrl } from './useBlobUrl';

type Review = CallResponse<'reviewLoad'>;
type Warning = Review['warnings'][number];

const KEYS: [string, string][] = [
  ['j / ↓', 'next warning'],
  ['k / ↑', 'previous warning'],
  ['c', 'confirm the selected warning'],
  ['d', 'dismiss the selected warning'],
  ['m', 'write a comment on the warning (Esc to leave the field)'],
  ['Space', 'play / pause the video'],
  ['n', 'write the decision note'],
  ['1 / 2 / 3', 'decide: cleared / flagged / invalidated'],
  ['b / Esc', 'back to the queue'],
];

const DECISIONS = ['cleared', 'flagged', 'invalidated'] as const;

function Video({
  api,
  warning,
  mergedSha,
}: {
  api: ConsoleApi;
  warning: Warning | undefined;
  mergedSha: string | null;
}) {
  const sha = warning?.media.sha256 ?? mergedSha;
  const url = useBlobUrl(api, sha);
  const ref = useRef<HTMLVideoElement>(null);
  const start = warning?.media.startS ?? 0;
  useEffect(() => {
    const video = ref.current;
    if (!video || !url) return;
    const seek = () => {
      video.currentTime = start;
    };
    if (video.readyState >= 1) seek();
    else video.addEventListener('loadedmetadata', seek, { once: true });
  }, [url, start]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event) || event.key !== ' ' || !ref.current) return;
      event.preventDefault();
      if (ref.current.paused) void ref.current.play().catch(() => undefined);
      else ref.current.pause();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (!sha) return <p className="muted">No video was uploaded for this {warning ? 'warning' : 'session'}.</p>;
  return (
    <figure className="video">
      <video ref={ref} src={url} controls preload="metadata" data-testid="review-video" data-start={start}>
        <track kind="captions" />
      </video>
      <figcaption>
        {warning?.media.kind === 'clip'
          ? 'Clip around the warning'
          : `Session video at ${formatOffset(start)}`}
      </figcaption>
    </figure>
  );
}

export function SessionReview({
  api,
  sessionId,
  onBack,
}: {
  api: ConsoleApi;
  sessionId: string;
  onBack: () => void;
}) {
  const [review, setReview] = useState<Review | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [selected, setSelected] = useState(0);
  const [comment, setComment] = useState('');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const commentRef = useRef<HTMLInputElement>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);

  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    void api.reviewLoad({ sessionId }).then((result) => {
      if (!live) return;
      if (result.ok) setReview(result.value);
      else setError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, [api, sessionId, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  // A verdict or decision asks the central worker for a new report version (a second or more):
  // it shows once the worker has filed it in central.
  useEffect(
    () =>
      api.on('reviewReportFiled', (event) => {
        if (event.sessionId === sessionId) reload();
      }),
    [api, sessionId, reload],
  );

  const warnings = review?.warnings ?? [];
  const current = warnings[selected];

  const verdict = useCallback(
    async (v: 'confirmed' | 'dismissed') => {
      if (!current || busy) return;
      setBusy(true);
      const result = await api.reviewWarning({
        warningId: current.id,
        verdict: v,
        ...(comment ? { comment } : {}),
      });
      setBusy(false);
      if (!result.ok) return setStatus(`Not saved: ${result.error.message}`);
      setStatus(`Warning ${selected + 1} (${label(current.type)}) ${v}.`);
      setComment('');
      reload();
      setSelected((s) => Math.min(s + 1, warnings.length - 1));
    },
    [api, busy, comment, current, reload, selected, warnings.length],
  );

  const decide = useCallback(
    async (decision: (typeof DECISIONS)[number]) => {
      if (busy) return;
      setBusy(true);
      const result = await api.reviewDecide({ sessionId, decision, ...(note ? { note } : {}) });
      setBusy(false);
      if (!result.ok) return setStatus(`Not saved: ${result.error.message}`);
      setStatus(`Session ${decision}.`);
      reload();
    },
    [api, busy, note, reload, sessionId],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event)) {
        if (event.key === 'Escape') (event.target as HTMLElement).blur();
        return;
      }
      const n = warnings.length;
      if ((event.key === 'j' || event.key === 'ArrowDown') && n) setSelected((s) => Math.min(s + 1, n - 1));
      else if ((event.key === 'k' || event.key === 'ArrowUp') && n) setSelected((s) => Math.max(s - 1, 0));
      else if (event.key === 'c') void verdict('confirmed');
      else if (event.key === 'd') void verdict('dismissed');
      else if (event.key === 'm') commentRef.current?.focus();
      else if (event.key === 'n') noteRef.current?.focus();
      else if (event.key === '1' || event.key === '2' || event.key === '3')
        void decide(DECISIONS[Number(event.key) - 1]!);
      else if (event.key === 'b' || event.key === 'Escape') onBack();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [warnings.length, verdict, decide, onBack]);

  if (error) {
    return (
      <section className="panel" aria-labelledby="review-title">
        <h2 id="review-title">Session review</h2>
        <p role="alert" className="error">
          {error}
        </p>
        <button type="button" onClick={onBack}>
          Back to the queue
        </button>
      </section>
    );
  }
  if (!review) return <p role="status">Loading the session…</p>;

  const snapshots = warnings.filter((w) => w.snapshotSha256);
  return (
    <div className="review console-wide">
      <section className="panel" aria-labelledby="review-title">
        <button type="button" className="link" onClick={onBack}>
          ← Queue (b)
        </button>
        <h2 id="review-title">
          {review.candidate.name || review.candidate.email} · {review.exam.title}
        </h2>
        <p className="muted">
          Risk {review.session.risk ? Math.round(review.session.risk.score) : 'not scored'} ·{' '}
          {review.session.status} · started {new Date(review.session.startedAt).toLocaleString()} · evidence{' '}
          {review.session.evidenceVerdict} ({anchoringText(review.session.anchoring)})
          {review.agreementRate !== null &&
            ` · proctor agreement ${Math.round(review.agreementRate * 100)} %`}
        </p>
        <p role="status" className="status" data-testid="review-status">
          {status}
        </p>
      </section>

      <RiskFactors
        risk={review.session.risk}
        source={review.session.riskSource ?? null}
        deviceRisk={review.session.deviceRisk ?? null}
        offsetOf={(id) => warnings.find((w) => w.id === id)?.offsetS}
        onPick={(id) => {
          const i = warnings.findIndex((w) => w.id === id);
          if (i >= 0) setSelected(i);
        }}
      />

      <div className="review-grid">
        <section className="panel" aria-labelledby="warnings-title">
          <h3 id="warnings-title">Warnings ({warnings.length})</h3>
          <ol className="warnings" data-testid="warnings">
            {warnings.map((w, i) => (
              <li
                key={w.id}
                className={i === selected ? 'warning selected' : 'warning'}
                aria-current={i === selected ? 'true' : undefined}
              >
                <button type="button" className="warning-pick" onClick={() => setSelected(i)}>
                  <span className="time">{formatOffset(w.offsetS)}</span> {label(w.type)} · {w.severity}
                  {w.confidence !== null && ` · ${Math.round(w.confidence * 100)} %`}
                  {w.durationS > 0 && ` · ${Math.round(w.durationS)} s`}
                </button>
                <span className={`verdict verdict-${w.myVerdict ?? 'pending'}`} data-testid={`verdict-${i}`}>
                  {w.myVerdict ?? 'pending'}
                </span>
                {w.agreement && (
                  <span className={`agreement ${w.agreement}`}>
                    {w.agreement === 'agree' ? 'proctors agree' : 'proctors disagree'}:{' '}
                    {w.reviews.map((r) => `${r.reviewerName} ${r.verdict}`).join(', ')}
                  </span>
                )}
              </li>
            ))}
          </ol>
          {current && (
            <div className="verdict-bar">
              <label htmlFor="warning-comment">Comment on warning {selected + 1} (m)</label>
              <input
                id="warning-comment"
                ref={commentRef}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
              />
              <button type="button" onClick={() => void verdict('confirmed')} disabled={busy}>
                Confirm (c)
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => void verdict('dismissed')}
                disabled={busy}
              >
                Dismiss (d)
              </button>
            </div>
          )}
        </section>

        <section className="panel" aria-labelledby="video-title">
          <h3 id="video-title">Video</h3>
          <Video api={api} warning={current} mergedSha={review.session.videoSha256} />
          {review.session.posterSha256 && !review.session.videoSha256 && (
            <Snapshot api={api} sha={review.session.posterSha256} alt="Poster frame of the recording" />
          )}
          {current?.snapshotSha256 && (
            <Snapshot
              api={api}
              sha={current.snapshotSha256}
              alt={`Snapshot of warning ${selected + 1}: ${label(current.type)}`}
            />
          )}
        </section>
      </div>

      <section className="panel" aria-labelledby="timeline-title">
        <h3 id="timeline-title">Timeline</h3>
        <ol className="timeline">
          {[
            ...review.timeline.map((e) => ({
              key: `e${e.seq}`,
              at: e.offsetS,
              text: label(e.kind),
              warn: -1,
            })),
            ...warnings.map((w, i) => ({ key: w.id, at: w.offsetS, text: `⚠ ${label(w.type)}`, warn: i })),
          ]
            .sort((a, b) => a.at - b.at)
            .map((item) => (
              <li key={item.key} className={item.warn === selected ? 'selected' : undefined}>
                <span className="time">{formatOffset(item.at)}</span> {item.text}
              </li>
            ))}
        </ol>
      </section>

      <section className="panel" aria-labelledby="gallery-title">
        <h3 id="gallery-title">Snapshots ({snapshots.length})</h3>
        <div className="gallery">
          {snapshots.map((w) => (
            <button
              type="button"
              key={w.id}
              className="gallery-item"
              onClick={() => setSelected(warnings.indexOf(w))}
            >
              <Snapshot
                api={api}
                sha={w.snapshotSha256!}
                alt={`${label(w.type)} at ${formatOffset(w.offsetS)}`}
              />
              <span>
                {formatOffset(w.offsetS)} {label(w.type)}
              </span>
            </button>
          ))}
        </div>
      </section>

      <div className="review-grid">
        <IdCheckPanel api={api} id={review.idVerification} />
        <AnswersPanel review={review} />
      </div>

      <div className="review-grid">
        <ExamDocumentsPanel exam={review.exam} />
        <ReportsPanel api={api} reports={review.reports} latest={review.latestReport} />
      </div>

      <RefusedWritesPanel refused={review.refusedDeviceWrites} />

      <section className="panel" aria-labelledby="decision-title">
        <h3 id="decision-title">Decision</h3>
        {review.decision ? (
          <p data-testid="decision">
            <strong>{review.decision.decision}</strong> by {review.decision.by} on{' '}
            {new Date(review.decision.at).toLocaleString()}
            {review.decision.note && ` — ${review.decision.note}`}
          </p>
        ) : (
          <p data-testid="decision">No decision yet.</p>
        )}
        <label htmlFor="decision-note">Note (n)</label>
        <textarea
          id="decision-note"
          ref={noteRef}
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <div className="decision-buttons">
          {DECISIONS.map((d, i) => (
            <button
              type="button"
              key={d}
              className={d === 'cleared' ? undefined : 'secondary'}
              onClick={() => void decide(d)}
              disabled={busy}
            >
              {d[0]!.toUpperCase() + d.slice(1)} ({i + 1})
            </button>
          ))}
        </div>
      </section>

      <section className="panel" aria-labelledby="keys-title">
        <h3 id="keys-title">Keyboard</h3>
        <dl className="keys">
          {KEYS.map(([k, what]) => (
            <div key={k}>
              <dt>
                <kbd>{k}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </section>
    </div>
  );
}

/** How the header names the chain's anchoring: anchored all along, or how long it was written offline. */
function anchoringText(a: Review['session']['anchoring']): string {
  if (a.state === 'anchored') return 'continuous and anchored';
  if (a.state === 'offline') return 'written offline';
  return `written offline for ${Math.max(1, Math.round(a.offlineS / 60))} min`;
}
