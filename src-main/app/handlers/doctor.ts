// Contract handler for the About screen's diagnostics: the same report as `vigil doctor`.
import { localPendingSync } from '../../doctor/local-pending-sync';
import { runDoctor } from '../../doctor/run-doctor';
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';

export function doctorHandlers(ctx: AppContext): HandlerGroup<'runDoctor'> {
  return {
    runDoctor: async () =>
      runDoctor({
        loaded: ctx.loaded,
        appVersion: ctx.version,
        pendingSync: localPendingSync(ctx.loaded.dataDir),
      }),
  };
}
