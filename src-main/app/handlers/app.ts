// Contract handlers for the app-level calls (info, connection check, readiness).
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';
import { examReadiness } from '../readiness';

export function appHandlers(ctx: AppContext): HandlerGroup<'getAppInfo' | 'ping' | 'checkExamReadiness'> {
  return {
    getAppInfo: async () => ({
      name: 'Vigil' as const,
      version: ctx.version,
      mode: ctx.mode,
      platform: process.platform,
      configIssues: ctx.loaded.issues,
    }),
    ping: async (request) => {
      const reply = { nonce: request.nonce, receivedAt: new Date().toISOString() };
      if (request.emitEvent) ctx.events.emit('pong', reply);
      return reply;
    },
    checkExamReadiness: async () => examReadiness(ctx),
  };
}
