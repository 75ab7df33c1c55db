// Contract handlers for interviews, documents, question generation, evaluations and token usage.
import type { interviewCalls } from '../../../src-preload/contract-interview';
import { VigilError } from '../../errors';
import type { InterviewDocument } from '../../interview/types';
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';

const summary = (d: InterviewDocument) => ({
  id: d.id,
  kind: d.kind,
  title: d.title,
  format: d.format,
  fileName: d.fileName,
  byteSize: d.byteSize,
  characters: d.text.length,
  createdAt: d.createdAt,
});

function decodeBase64(data: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data))
    throw new VigilError('BAD_REQUEST', `The ${what} is not valid base64.`, { field: what });
  return Buffer.from(data, 'base64');
}

export function interviewHandlers(ctx: AppContext): HandlerGroup<keyof typeof interviewCalls> {
  const svc = () => ctx.interview();
  return {
    startInterview: async (req) => (await svc()).startSession(req),
    // tick() first: a question whose time ran out is closed before its state is reported.
    getInterviewState: async ({ sessionId }) => (await svc()).flow(sessionId).tick(),
    saveAnswerDraft: async (r) => (await svc()).flow(r.sessionId).saveDraft(r.questionId, r.text),
    submitAnswer: async (r) => (await svc()).flow(r.sessionId).submit(r.questionId, r.text),
    submitSpokenAnswer: async (r) => {
      const bytes = decodeBase64(r.audioBase64, 'audio');
      return (await svc())
        .flow(r.sessionId)
        .recordSpokenAnswer(r.questionId, { bytes, mimeType: r.mimeType });
    },
    endInterview: async ({ sessionId }) => (await svc()).endSession(sessionId),
    uploadDocument: async (r) =>
      summary(
        await (
          await svc()
        ).documents.addFile(r.kind, {
          title: r.title,
          fileName: r.fileName,
          bytes: decodeBase64(r.dataBase64, 'file'),
        }),
      ),
    createJobListingFromText: async (r) => summary((await svc()).documents.addText('job_listing', r)),
    generateQuestions: async (r) => {
      const s = await svc();
      const text = (kind: 'resume' | 'job_listing', id: string | undefined) => {
        if (!id) return null;
        const doc = s.documents.get(kind, id);
        if (!doc) throw new VigilError('NOT_FOUND', `No ${kind.replace('_', ' ')} with id ${id}.`, { id });
        return doc.text;
      };
      const questions = await s.generator.generate({
        type: r.type,
        difficulty: r.difficulty,
        count: r.count,
        resumeText: text('resume', r.resumeId),
        jobListingText: text('job_listing', r.jobListingId),
      });
      return { generator: s.generator.kind, questions };
    },
    getEvaluation: async ({ sessionId }) => {
      const s = await svc();
      const job = s.jobs.job(sessionId);
      const evaluation = s.jobs.evaluation(sessionId);
      return {
        job: job
          ? {
              status: job.status,
              attempts: job.attempts,
              nextAttemptAt: new Date(job.nextAttemptAt).toISOString(),
              lastError: job.lastError,
            }
          : null,
        evaluation: evaluation ? (({ sessionId: _s, ...rest }) => rest)(evaluation) : null,
      };
    },
    getTokenUsage: async ({ by }) => (await svc()).ledger.rollup(by),
  };
}
