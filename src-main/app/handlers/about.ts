// Contract handlers of the About screen's settings and support archive. Main is the authority on
// what IT manages: changeSetting refuses a managed key whatever the renderer shows or sends.
import type { LoadedConfig } from '../../config/load';
import { changeUserSetting, describeSettings } from '../../config/user-settings';
import { saveDiagnosticsArchive } from '../../doctor/diagnostics-archive';
import { localPendingSync } from '../../doctor/local-pending-sync';
import { runDoctor } from '../../doctor/run-doctor';
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';

function settingsView(loaded: LoadedConfig) {
  const { policy } = loaded;
  return {
    settings: describeSettings(loaded),
    policy: {
      file: policy.file,
      signature: policy.signature,
      refused: policy.refused,
      serial: policy.stamp?.serial ?? null,
    },
  };
}

export function aboutHandlers(
  ctx: AppContext,
): HandlerGroup<'getSettings' | 'changeSetting' | 'saveDiagnostics'> {
  return {
    getSettings: async () => settingsView(ctx.loaded),
    changeSetting: async ({ key, value }) => {
      changeUserSetting(ctx.loaded, key, value);
      // The log level is the logger's own: set it so the change applies now, not at the next start.
      if (key === 'log.level') ctx.logger.level = ctx.loaded.config.log.level;
      ctx.logger.info({ key, value, source: ctx.loaded.sources[key] }, 'setting changed in About');
      return settingsView(ctx.loaded);
    },
    saveDiagnostics: async () => {
      const report = await runDoctor({
        loaded: ctx.loaded,
        appVersion: ctx.version,
        pendingSync: localPendingSync(ctx.loaded.dataDir),
      });
      const saved = await saveDiagnosticsArchive({
        loaded: ctx.loaded,
        report,
        appVersion: ctx.version,
        mode: ctx.mode,
        ...(ctx.chooseDiagnosticsFile ? { choose: ctx.chooseDiagnosticsFile } : {}),
      });
      ctx.logger.info({ path: saved.path, bytes: saved.bytes }, 'diagnostics saved');
      return saved;
    },
  };
}
