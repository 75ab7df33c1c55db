// The report's ReportSource over the central store: maps a session's rows (with the proctors'
// latest verdicts and decision) into the report input model. The central worker builds every
// central report version from it (worker/make-report.ts), so the report shows what the server
// decided: its evaluation and its risk where it has filed them (the device's only until then,
// as the console does).
import type { ExamType, Severity } from '../../src-preload/vocabulary';
import type { SqlQuery } from '../central/connect';
import { VigilError } from '../errors';
import type { ReportSource, ReportSourceResult } from '../reports/report-source';
import { centralRisk } from './central-risk';
import { questionScores } from './review-service';

const OUTCOME: Record<string, 'accepted' | 'rejected' | 'needs_follow_up' | 'invalidated'> = {
  cleared: 'accepted',
  pass: 'accepted',
  flagged: 'needs_follow_up',
  needs_review: 'needs_follow_up',
  retake: 'needs_follow_up',
  invalidated: 'invalidated',
  fail: 'rejected',
};

function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

export function centralReportSource(query: SqlQuery): ReportSource {
  return {
    async load(sessionId: string): Promise<ReportSourceResult> {
      const [s] = await query<Record<string, unknown>>(
        `SELECT s.*, e.title, e.type AS exam_type, e.difficulty, u.display_name, u.email
         FROM vigil.sessions s JOIN vigil.exams e ON e.id = s.exam_id JOIN vigil.users u ON u.id = s.candidate_id
         WHERE s.id = $1`,
        [sessionId],
      );
      if (!s) throw new VigilError('NOT_FOUND', `There is no session ${sessionId}.`);
      const [warnings, questions, evaluations, decisions, usage] = await Promise.all([
        query<Record<string, unknown>>(
          `SELECT w.*, (SELECT jsonb_build_object('verdict', r.verdict, 'comment', r.comment) FROM vigil.reviews r
                        WHERE r.warning_id = w.id ORDER BY r.created_at DESC LIMIT 1) AS review
           FROM vigil.warnings w WHERE w.session_id = $1 ORDER BY w.started_at, w.id`,
          [sessionId],
        ),
        query<Record<string, unknown>>(
          `SELECT * FROM vigil.questions WHERE session_id = $1 ORDER BY ordinal`,
          [sessionId],
        ),
        // The server's evaluation first (migration 0410), the device's while there is none.
        query<Record<string, unknown>>(
          `SELECT evaluator, overall, professionalism, subject_knowledge, clarity, traits, suggestions,
                  question_responses, model
           FROM (SELECT 0 AS rank, evaluator, overall, professionalism, subject_knowledge, clarity, traits,
                        suggestions, question_responses, model FROM vigil.server_evaluations WHERE session_id = $1
                 UNION ALL
                 SELECT 1, evaluator, overall, professionalism, subject_knowledge, clarity, traits, suggestions,
                        question_responses, NULL FROM vigil.evaluations WHERE session_id = $1) e
           ORDER BY rank LIMIT 1`,
          [sessionId],
        ),
        query<Record<string, unknown>>(
          `SELECT d.*, coalesce(u.display_name, u.email, 'a proctor') AS by FROM vigil.session_decisions d
           LEFT JOIN vigil.users u ON u.id = d.decided_by WHERE d.session_id = $1 ORDER BY d.created_at DESC LIMIT 1`,
          [sessionId],
        ),
        query<Record<string, unknown>>(
          `SELECT model, sum(prompt_tokens)::int AS p, sum(completion_tokens)::int AS c, sum(cost)::float8 AS cost
           FROM vigil.token_usage WHERE session_id = $1 GROUP BY model ORDER BY sum(total_tokens) DESC LIMIT 1`,
          [sessionId],
        ),
      ]);
      const started = new Date(iso(s.started_at)).getTime();
      const ended = s.ended_at ? new Date(iso(s.ended_at)).getTime() : null;
      const ev = evaluations[0];
      const scored = questionScores(ev?.question_responses);
      const d = decisions[0];
      const idDetails = (s.id_details ?? {}) as Record<string, unknown>;
      const fields = (idDetails.fields ?? {}) as Record<string, unknown>;
      return {
        data: {
          candidate: {
            name: String(s.display_name || s.email),
            email: String(s.email),
            id: String(s.candidate_id),
          },
          exam: {
            title: String(s.title),
            type: s.exam_type as ExamType,
            difficulty: Number(s.difficulty),
          },
          session: {
            id: sessionId,
            startedAt: iso(s.started_at),
            endedAt: s.ended_at ? iso(s.ended_at) : null,
            durationSeconds: ended ? Math.max(0, (ended - started) / 1000) : 0,
          },
          scores: ev
            ? {
                overall: Number(ev.overall),
                professionalism: Number(ev.professionalism),
                subjectKnowledge: Number(ev.subject_knowledge),
                clarity: Number(ev.clarity),
              }
            : null,
          risk: centralRisk({ id: s.id, risk_factors: s.server_risk_factors }) ?? centralRisk(s),
          decision: d
            ? {
                outcome: OUTCOME[String(d.decision)] ?? 'needs_follow_up',
                reviewer: String(d.by),
                decidedAt: iso(d.created_at),
                ...(d.reason ? { comment: d.reason as string } : {}),
              }
            : null,
          idVerification: s.id_verification_status
            ? {
                status: s.id_verification_status as 'verified' | 'needs_review' | 'rejected',
                cardImagePath: null,
                extractedFields: Object.entries(fields).map(([label, value]) => ({
                  label,
                  value: String(value),
                })),
                faceMatchScore:
                  typeof idDetails.faceMatchScore === 'number' ? idDetails.faceMatchScore : null,
                reasons: Array.isArray(idDetails.reasons) ? idDetails.reasons.map(String) : [],
              }
            : null,
          questions: questions.map((q, i) => {
            const response = scored.byQuestion.get(String(q.text)) ?? scored.inOrder[i];
            return {
              question: String(q.text),
              answer: (q.answer_text as string | null) ?? null,
              score: response?.score ?? null,
              feedback: response?.feedback || null,
            };
          }),
          traits: ev ? ((ev.traits as unknown[]) ?? []).map(String) : [],
          suggestions: ev ? ((ev.suggestions as unknown[]) ?? []).map(String) : [],
          warnings: warnings.map((w) => {
            const review = w.review as { verdict: string; comment: string } | null;
            const verdict =
              review?.verdict === 'confirmed' || review?.verdict === 'dismissed' ? review.verdict : 'pending';
            return {
              type: String(w.type),
              severity: w.severity as Severity,
              startedAt: iso(w.started_at),
              durationSeconds: w.ended_at
                ? Math.max(
                    0,
                    (new Date(iso(w.ended_at)).getTime() - new Date(iso(w.started_at)).getTime()) / 1000,
                  )
                : 0,
              confidence: w.confidence === null ? 0 : Number(w.confidence),
              verdict,
              ...(review?.comment ? { comment: review.comment } : {}),
              snapshotPath: null,
            };
          }),
          evidence: {
            verdict: s.evidence_verdict === 'intact' ? 'intact' : 'broken',
            finalHash: Buffer.isBuffer(s.chain_head) ? s.chain_head.toString('hex') : null,
            eventCount: Number(s.chain_seq),
          },
          evaluator: ev
            ? {
                kind: String(ev.evaluator).startsWith('local') ? 'local' : 'openai',
                name: String(ev.evaluator),
                model: String(ev.model ?? usage[0]?.model ?? ev.evaluator),
                promptTokens: Number(usage[0]?.p ?? 0),
                completionTokens: Number(usage[0]?.c ?? 0),
                costUsd: Number(usage[0]?.cost ?? 0),
              }
            : null,
        },
      };
    },
  };
}
