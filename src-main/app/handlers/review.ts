// Contract handlers of the proctor console: sign-in with the proctor's own PostgreSQL login, the
// risk-ranked queue, a session's review, verdicts, decisions and evidence files.
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';

export function reviewHandlers(
  ctx: AppContext,
): HandlerGroup<
  | 'consoleSignIn'
  | 'consoleSignOut'
  | 'consoleWhoAmI'
  | 'reviewQueue'
  | 'reviewLoad'
  | 'reviewWarning'
  | 'reviewDecide'
  | 'reviewBlob'
> {
  return {
    consoleSignIn: (request, call) => ctx.console.signIn(request.user, request.password, call.senderId),
    consoleSignOut: async () => {
      await ctx.console.signOut();
      return { ok: true as const };
    },
    consoleWhoAmI: async (_request, call) => ctx.console.whoAmI(call.senderId),
    reviewQueue: (request) => ctx.console.review.queue(request),
    reviewLoad: (request) => ctx.console.review.load(request.sessionId),
    reviewWarning: (request) => ctx.console.review.reviewWarning(request),
    reviewDecide: async (request) => {
      await ctx.console.review.decide(request);
      return { ok: true as const };
    },
    reviewBlob: (request) => ctx.console.review.blobUrl(request.sha256),
  };
}
