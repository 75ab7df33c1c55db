// Contract handlers for the app-level calls (info, connection check, configuration, readiness).
import { secretKeys } from '../../config/schema';
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';
import { examReadiness } from '../readiness';

export function appHandlers(
  ctx: AppContext,
): HandlerGroup<'getAppInfo' | 'ping' | 'getEffectiveConfig' | 'checkExamReadiness'> {
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
    getEffectiveConfig: async () => {
      const values: Record<string, unknown> = {};
      for (const [section, entries] of Object.entries(ctx.loaded.config)) {
        for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
          const key = `${section}.${name}`;
          values[key] = secretKeys.has(key) && value !== undefined ? '(set)' : value;
        }
      }
      return { values, lockedKeys: ctx.loaded.lockedKeys, sources: ctx.loaded.sources };
    },
    checkExamReadiness: async () => examReadiness(ctx),
  };
}
