// The report's data for a session, read from the device's own SQLite database: the exam, the
// session and its evidence chain, the ID check, the questions and answers, the evaluation, the
// warnings with their snapshots, and the token cost. The report is then made offline, right after
// the session; the proctor console regenerates it centrally after decisions.
import { RiskExplanationSchema, type RiskExplanation } from '../../src-preload/risk-explanation';
import { VigilError } from '../errors';
import { latestEvaluation } from '../evaluation/evaluation-store';
import type { TokenLedger } from '../evaluation/token-ledger';
import { InterviewRepository } from '../interview/session-repository';
import type { ReportSource, ReportSourceResult } from '../reports/report-source';
import { cachedExamInfo } from '../store/exam-cache';
import { sessionEvaluationPlace } from './after-session-jobs';
import { verifyChain } from '../store/event-chain';
import type { LocalStore } from '../store/local-store';

interface SessionRow {
  id: string;
  exam_id: string;
  started_at: string;
  ended_at: string | null;
  risk_score: number | null;
  chain_head: Buffer | null;
}
interface WarningRow {
  id: string;
  type: string;
  severity: 'low' | 'medium' | 'high';
  started_at: string;
  ended_at: string | null;
  confidence: number | null;
  details: string;
  path: string | null;
}

/**
 * The score with its factors, as the finish stored them in the chain's last session_finished event.
 * A session that never finished (or finished without proctoring) has no score: 0 and no factors.
 */
function storedRisk(store: LocalStore, sessionId: string): RiskExplanation | null {
  const row = store.raw
    .prepare(
      `SELECT json_extract(body, '$.data.risk') AS risk FROM events
       WHERE session_id = ? AND kind = 'session_finished' ORDER BY seq DESC LIMIT 1`,
    )
    .get(sessionId) as { risk: string | null } | undefined;
  return row?.risk ? RiskExplanationSchema.parse(JSON.parse(row.risk)) : null;
}

const seconds = (from: string, to: string | null) =>
  to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : 0;

export function localReportSource(options: {
  store: LocalStore;
  ledger: TokenLedger;
  candidateName: () => string;
}): ReportSource {
  const { store } = options;
  return {
    async load(sessionId): Promise<ReportSourceResult> {
      const session = store.raw.prepare('SELECT * FROM sessions WHERE id = ?').get(sessionId) as
        SessionRow | undefined;
      if (!session)
        throw new VigilError('NOT_FOUND', `No session ${sessionId} on this device.`, { sessionId });
      const exam = cachedExamInfo(store, session.exam_id);
      const chain = verifyChain(store, sessionId);
      const warnings = store.raw
        .prepare(
          `SELECT w.id, w.type, w.severity, w.started_at, w.ended_at, w.confidence, w.details, s.path
           FROM warnings w LEFT JOIN snapshots s ON s.id = w.snapshot_id
           WHERE w.session_id = ? ORDER BY w.started_at`,
        )
        .all(sessionId) as WarningRow[];
      const idEvent = store.raw
        .prepare(
          `SELECT e.body AS payload, b.path FROM events e
           LEFT JOIN blob_uploads b ON b.session_id = e.session_id AND b.kind = 'id_image'
             AND b.sha256 = json_extract(e.body, '$.data.cardSha256')
           WHERE e.session_id = ? AND e.kind = 'id_verification' ORDER BY e.seq DESC LIMIT 1`,
        )
        .get(sessionId) as { payload: string; path: string | null } | undefined;
      const repo = new InterviewRepository(store);
      const questions = repo.questions(sessionId);
      const answers = new Map(repo.answers(sessionId).map((a) => [a.questionId, a]));
      // A server-evaluated exam's report on the device has no scores and no risk (the server's
      // are in the console), even if an edited cache made this device evaluate it.
      const evaluatedBy = sessionEvaluationPlace(store, sessionId);
      const evaluation = evaluatedBy === 'device' ? latestEvaluation(store, sessionId) : null;
      const usage = options.ledger.list({ sessionId });
      const scored = new Map(evaluation?.question_responses.map((r) => [r.question, r]) ?? []);

      let idVerification = null;
      if (idEvent) {
        const payload = JSON.parse(idEvent.payload) as {
          data?: {
            decision?: 'verified' | 'needs_review' | 'rejected';
            reasons?: string[];
            fields?: Record<string, string | undefined>;
            faceMatch?: number | null;
          };
        };
        const data = payload.data ?? {};
        const labels: Record<string, string> = {
          name: 'Name',
          documentNumber: 'Document number',
          dateOfBirth: 'Date of birth',
          expiry: 'Expiry',
          nationality: 'Nationality',
        };
        idVerification = {
          status: data.decision ?? 'needs_review',
          cardImagePath: idEvent.path,
          extractedFields: Object.entries(data.fields ?? {})
            .filter((e): e is [string, string] => typeof e[1] === 'string')
            .map(([key, value]) => ({ label: labels[key] ?? key, value })),
          faceMatchScore:
            typeof data.faceMatch === 'number' ? Math.min(1, Math.max(0, data.faceMatch)) : null,
          reasons: data.reasons ?? [],
        };
      }

      const risk = evaluatedBy === 'device' ? storedRisk(store, sessionId) : null;
      return {
        data: {
          candidate: { name: options.candidateName() },
          exam: {
            title: exam?.title ?? 'Unknown exam',
            type: exam?.type ?? 'GEN',
            difficulty: exam?.difficulty ?? 1,
          },
          session: {
            id: session.id,
            startedAt: session.started_at,
            endedAt: session.ended_at,
            durationSeconds: seconds(session.started_at, session.ended_at),
          },
          evaluatedBy,
          scores: evaluation
            ? {
                overall: evaluation.overall,
                professionalism: evaluation.professionalism,
                subjectKnowledge: evaluation.subject_knowledge,
                clarity: evaluation.clarity,
              }
            : null,
          risk,
          idVerification,
          questions: questions.map((q) => {
            const answer = answers.get(q.id);
            const text = answer?.transcript ?? answer?.text ?? null;
            const response = scored.get(q.text);
            return {
              question: q.text,
              answer: text && text.trim() ? text : null,
              score: response?.score ?? null,
              feedback: response?.feedback ?? null,
            };
          }),
          traits: evaluation?.traits ?? [],
          suggestions: evaluation?.suggestions ?? [],
          warnings: warnings.map((w) => ({
            type: w.type,
            severity: w.severity,
            startedAt: w.started_at,
            durationSeconds: seconds(w.started_at, w.ended_at),
            confidence: w.confidence ?? 0,
            snapshotPath: w.path,
          })),
          evidence: {
            verdict: chain.ok ? 'intact' : 'broken',
            finalHash: session.chain_head ? Buffer.from(session.chain_head).toString('hex') : null,
            eventCount: chain.events,
            ...(chain.problem ? { detail: chain.problem } : {}),
          },
          evaluator: evaluation
            ? {
                kind: evaluation.evaluator,
                name: evaluation.evaluator === 'local' ? 'Vigil local evaluator' : 'OpenAI-compatible model',
                model: evaluation.model,
                promptTokens: usage.reduce((s, u) => s + u.promptTokens, 0),
                completionTokens: usage.reduce((s, u) => s + u.completionTokens, 0),
                costUsd: usage.reduce((s, u) => s + (u.costNanoUsd ?? 0), 0) / 1e9,
              }
            : null,
        },
      };
    },
  };
}
