// What vigil.fetch_exam hands a device, built in the test from a plain exam: the plain facts, the
// content sealed with `key` (the same format pgcrypto produces, src-main/security/exam-seal.ts) and,
// with a start code, the key wrapped for an offline start. For suites without a central server.
import { randomBytes } from 'node:crypto';
import { sealContent, wrapWithStartCode } from '../../src-main/security/exam-seal';
import type { CachedExam } from '../../src-main/store/exam-cache';

export async function sealedExam(
  exam: CachedExam,
  options: { key?: Buffer; startCode?: string } = {},
): Promise<{ fetched: Record<string, unknown>; key: Buffer }> {
  const key = options.key ?? randomBytes(32);
  const wrap = options.startCode ? await wrapWithStartCode(key, options.startCode, exam.id) : undefined;
  return {
    key,
    fetched: {
      id: exam.id,
      title: exam.title,
      type: exam.type,
      difficulty: exam.difficulty,
      retentionDays: exam.retentionDays,
      uploadMode: exam.uploadMode,
      maxBlobBytes: exam.maxBlobBytes ?? null,
      questionCount: exam.keyQuestions.length,
      totalTimeS: exam.keyQuestions.reduce((sum, q) => sum + q.time_limit_s, 0),
      accommodations: Array.isArray(exam.policy.accommodations) ? exam.policy.accommodations : [],
      opensAt: null,
      closesAt: null,
      evaluation: exam.policy.evaluation === 'device' && exam.policy.practice === true ? 'device' : 'server',
      offlineStart: wrap
        ? { salt: wrap.salt.toString('base64'), wrappedKey: wrap.wrappedKey.toString('base64') }
        : null,
      sealed: sealContent(exam, key).toString('base64'),
    },
  };
}
