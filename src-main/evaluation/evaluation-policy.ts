// Where an exam is evaluated (issue 18 item 1): `policy.evaluation` is 'server' (the default: the
// central worker evaluates and scores the risk, the device sends neither) or 'device', which only a
// practice exam (`policy.practice: true`) may use — a practice result decides nothing, so the
// organisation may let the candidate's own device score it, labelled as made there.
// The admin tools refuse 'device' on any other exam (checkEvaluationPolicy), central refuses it
// too (CHECK exams_evaluation_check, migration 0460) and refuses a device's evaluation or risk for a
// server-evaluated exam whatever the device's cached copy of the policy says.
import { VigilError } from '../errors';

export type EvaluationPlace = 'server' | 'device';

const PLACES: readonly EvaluationPlace[] = ['server', 'device'];

/**
 * Where this policy's exam is evaluated. Anything but a practice exam set to 'device' is evaluated
 * by the server, so a malformed or edited policy never makes the device the evaluator.
 */
export function evaluationPlaceOf(policy: Record<string, unknown> | null | undefined): EvaluationPlace {
  return policy?.evaluation === 'device' && policy.practice === true ? 'device' : 'server';
}

/** Refuses a policy an admin saves whose `evaluation` is unknown, or 'device' on a non-practice exam. */
export function checkEvaluationPolicy(policy: Record<string, unknown>): void {
  const wanted = policy.evaluation;
  if (wanted === undefined) return;
  if (typeof wanted !== 'string' || !PLACES.includes(wanted as EvaluationPlace))
    throw new VigilError(
      'BAD_REQUEST',
      `The exam policy's "evaluation" must be "server" or "device", not ${JSON.stringify(wanted)}.`,
      { field: 'policy.evaluation', value: wanted, allowed: PLACES },
    );
  if (policy.practice !== undefined && typeof policy.practice !== 'boolean')
    throw new VigilError('BAD_REQUEST', `The exam policy's "practice" must be true or false.`, {
      field: 'policy.practice',
      value: policy.practice,
    });
  if (wanted === 'device' && policy.practice !== true)
    throw new VigilError(
      'BAD_REQUEST',
      'Only a practice exam may be evaluated on the candidate’s device: set "practice": true in the exam policy, or use "evaluation": "server" (the default) for an exam that counts.',
      { field: 'policy.evaluation', value: wanted, practice: policy.practice ?? false },
    );
}
