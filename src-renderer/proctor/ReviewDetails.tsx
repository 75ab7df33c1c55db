// The parts of a session's review that come from the candidate's checks and exam rather than its
// warnings: the ID check (status, reasons, fields, face match, card image), the answers with the
// evaluation's score and feedback for each, the resume and job listing the exam used, and every
// report version filed for the session (each PDF loaded on demand).
import { useState } from 'react';
import type { CallResponse } from '../../src-preload/contract';
import type { ConsoleApi } from '../../src-preload/contract-windows';
import { label } from './keys';
import { Snapshot } from './Snapshot';
import { useBlobUrl } from './useBlobUrl';

type Review = CallResponse<'reviewLoad'>;

/** `documentNumber` → `document number`. */
const fieldLabel = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

export function IdCheckPanel({ api, id }: { api: ConsoleApi; id: Review['idVerification'] }) {
  const details = id.details ?? {};
  const fields = (details.fields ?? {}) as Record<string, unknown>;
  const reasons = Array.isArray(details.reasons) ? details.reasons.map(String) : [];
  return (
    <section className="panel" aria-labelledby="id-title" data-testid="id-check">
      <h3 id="id-title">ID verification</h3>
      <p>
        Status: <strong data-testid="id-status">{id.status ? label(id.status) : 'not performed'}</strong>
      </p>
      {reasons.length > 0 && (
        <ul className="reasons" data-testid="id-reasons">
          {reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {id.imageSha256 && <Snapshot api={api} sha={id.imageSha256} alt="ID card" />}
      {id.details && (
        <dl className="details" data-testid="id-fields">
          {Object.entries(fields)
            .filter(([, v]) => v !== null && v !== undefined && v !== '')
            .map(([k, v]) => (
              <div key={k}>
                <dt>{fieldLabel(k)}</dt>
                <dd>{String(v)}</dd>
              </div>
            ))}
          {typeof details.faceMatchScore === 'number' && (
            <div>
              <dt>Face match</dt>
              <dd>{Math.round(details.faceMatchScore * 100)} %</dd>
            </div>
          )}
        </dl>
      )}
    </section>
  );
}

export function AnswersPanel({ review }: { review: Review }) {
  const { evaluation } = review;
  return (
    <section className="panel" aria-labelledby="answers-title">
      <h3 id="answers-title">Answers and evaluation</h3>
      {evaluation && (
        <p>
          Overall <strong>{evaluation.overall}</strong> · professionalism {evaluation.professionalism} ·
          subject {evaluation.subjectKnowledge} · clarity {evaluation.clarity}{' '}
          <span className="muted">({evaluation.evaluator})</span>
        </p>
      )}
      {evaluation?.source && (
        <p className="muted" data-testid="evaluation-source">
          {evaluation.source === 'server'
            ? `Evaluated by the central server. ${evaluation.label ?? ''}`.trim()
            : (evaluation.label ?? 'Evaluated on the candidate’s device.')}
        </p>
      )}
      {evaluation?.feedback && <p>{evaluation.feedback}</p>}
      <ol className="answers" data-testid="answers">
        {review.answers.map((a) => (
          <li key={a.ordinal}>
            <strong>{a.question}</strong>
            {a.serverTranscript !== null ? (
              <>
                <p data-testid={`server-transcript-${a.ordinal}`}>{a.serverTranscript}</p>
                <p className="muted">
                  Transcribed by the central server from the uploaded audio.
                  {a.answer !== null && a.answer !== a.serverTranscript
                    ? ` The candidate’s device sent: “${a.answer}”`
                    : ''}
                </p>
              </>
            ) : (
              <p>{a.answer ?? <em>no answer</em>}</p>
            )}
            {a.score !== null && (
              <p className="answer-score" data-testid={`answer-score-${a.ordinal}`}>
                Score <strong>{a.score}</strong> of 10{a.feedback ? ` — ${a.feedback}` : ''}
              </p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function ExamDocumentsPanel({ exam }: { exam: Review['exam'] }) {
  if (!exam.resume && !exam.jobListing) return null;
  return (
    <section className="panel" aria-labelledby="documents-title" data-testid="exam-documents">
      <h3 id="documents-title">Resume and job listing</h3>
      {exam.jobListing && (
        <details>
          <summary>Job listing: {exam.jobListing.title}</summary>
          <p className="document-text">{exam.jobListing.description}</p>
        </details>
      )}
      {exam.resume && (
        <details>
          <summary>Resume: {exam.resume.fileName}</summary>
          <p className="document-text">{exam.resume.text}</p>
        </details>
      )}
    </section>
  );
}

function ReportLink({ api, report }: { api: ConsoleApi; report: Review['reports'][number] }) {
  const [wanted, setWanted] = useState(false);
  const url = useBlobUrl(api, wanted ? report.sha256 : null);
  const name = `${report.reportId}.pdf`;
  if (!report.uploaded) return <span className="muted">PDF not uploaded yet</span>;
  if (url)
    return (
      <a href={url} download={name}>
        Save {name}
      </a>
    );
  return (
    <button type="button" className="link" onClick={() => setWanted(true)} disabled={wanted}>
      {wanted ? 'Loading…' : 'Load PDF'}
    </button>
  );
}

/** Who filed a version, as the list shows it. */
function filedByText(r: Review['reports'][number]): string {
  if (r.filedBy === 'worker') return `central worker${r.madeBy ? ` ${r.madeBy}` : ''}`;
  if (r.filedBy === 'console') return `console${r.by ? ` (${r.by})` : ''}`;
  return 'device';
}

/**
 * The report of record is the central worker's latest version, downloaded from central; this
 * laptop renders none. The other versions (the device's, earlier consoles') are listed below it.
 */
export function ReportsPanel({
  api,
  reports,
  latest,
}: {
  api: ConsoleApi;
  reports: Review['reports'];
  latest: Review['latestReport'];
}) {
  return (
    <section className="panel" aria-labelledby="reports-title">
      <h3 id="reports-title">Report</h3>
      {latest ? (
        <p data-testid="latest-report">
          Latest central report: <strong>v{latest.version}</strong> · {latest.reportId} ·{' '}
          {label(latest.reason)} · made by {filedByText(latest)} · {new Date(latest.at).toLocaleString()} ·{' '}
          <ReportLink key={latest.sha256} api={api} report={latest} />
        </p>
      ) : (
        <p className="muted" data-testid="latest-report">
          No central report yet: the report is being made by the server.
        </p>
      )}
      {reports.length > 0 && (
        <details>
          <summary>All report versions ({reports.length})</summary>
          <ol className="reports" data-testid="reports">
            {reports.map((r) => (
              <li key={`${r.filedBy}-${r.version}-${r.reportId}`}>
                v{r.version} · {r.reportId} · {label(r.reason)} · {filedByText(r)} ·{' '}
                {new Date(r.at).toLocaleString()} · <ReportLink api={api} report={r} />
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
