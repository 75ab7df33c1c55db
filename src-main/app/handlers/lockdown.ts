// Contract handlers for the lockdown system check: runs every detector with the real probes. The
// renderer supplies its camera labels (only it can enumerate media devices); the Electron shell
// supplies the displays. What neither supplies is reported as check_unavailable.
import { currentDisplays, examLockdownPort, rememberMediaDevices } from '../../lockdown/port';
import { parseLockdownPolicy } from '../../lockdown/policy';
import { collectSystemSnapshot, listProcesses } from '../../lockdown/probes';
import { runLockdownChecks } from '../../lockdown/run-checks';
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';

export function lockdownHandlers(ctx: AppContext): HandlerGroup<'runLockdownChecks'> {
  return {
    runLockdownChecks: async (request) => {
      rememberMediaDevices(request.mediaDevices);
      const results = await runLockdownChecks(
        {
          listProcesses: () => listProcesses(),
          systemSnapshot: () => collectSystemSnapshot(),
          mediaDevices: async () => request.mediaDevices,
          displays: async () => currentDisplays(),
        },
        parseLockdownPolicy({}),
      );
      for (const result of results)
        if (result.status !== 'pass')
          ctx.logger.info(
            { check: result.check, status: result.status, summary: result.summary },
            'lockdown check',
          );
      return { results, lockdownAvailable: examLockdownPort() !== undefined };
    },
  };
}
