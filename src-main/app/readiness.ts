// Whether this machine may start an exam now. A broken configuration blocks exams: Vigil refuses
// rather than guessing what IT meant. Later checks (camera, disk, central server) join this list.
import { describeIssue } from '../config/load';
import type { AppContext } from './create-app';

export interface Readiness {
  ready: boolean;
  blockers: { check: string; message: string }[];
}

export function examReadiness(ctx: AppContext): Readiness {
  const blockers = ctx.loaded.issues.map((issue) => ({
    check: 'configuration',
    message: describeIssue(issue),
  }));
  return { ready: blockers.length === 0, blockers };
}
