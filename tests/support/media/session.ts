// Gives a test device a real exam session in progress, the way the product makes one: the demo exam
// and an enrollment code are written to the (embedded) central store, then the candidate enrolls
// (main caches the exam) and consents (main opens the session and its candidate progress) through
// the real dispatcher. mediaStart then files recordings under that session, as it does in the app.
import type { VigilApp } from '../../../src-main/app/create-app';
import { seedDemoCentral } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';

const ctx = { transport: 'host' as const, origin: 'test' };

async function call<C extends CallName>(app: VigilApp, name: C, request: CallRequest<C>) {
  const result = await app.dispatcher.dispatch(name, request, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as CallResponse<C>;
}

/** Enrolls the device's candidate in the demo exam and starts its session; returns main's ids. */
export async function startExamSession(app: VigilApp): Promise<{ examId: string; sessionId: string }> {
  const central = await app.context.candidate.central();
  const { examId, code } = await seedDemoCentral(central);
  await call(app, 'candidateEnroll', { code });
  const { sessionId } = await call(app, 'candidateConsent', { examId, accepted: true });
  return { examId, sessionId };
}
