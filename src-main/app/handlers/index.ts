// All contract handlers, one group per domain. TypeScript checks that together they cover every
// call in the contract exactly as typed.
import { callGroups } from '../../../src-preload/contract-windows';
import type { CallName } from '../../../src-preload/contract';
import type { CallContext, Handlers } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';
import { aboutHandlers } from './about';
import { appHandlers } from './app';
import { candidateHandlers } from './candidate';
import { mediaHandlers } from './media';
import { doctorHandlers } from './doctor';
import { reviewHandlers } from './review';
import { adminHandlers } from './admin';

/** Console calls that work without a login, or decide for themselves whose it is. */
const OPEN_CONSOLE_CALLS: readonly CallName[] = ['consoleSignIn', 'consoleSignOut', 'consoleWhoAmI'];

export function createHandlers(ctx: AppContext): Handlers {
  const handlers: Handlers = {
    ...appHandlers(ctx),
    ...aboutHandlers(ctx),
    ...candidateHandlers(ctx),
    ...mediaHandlers(ctx),
    ...doctorHandlers(ctx),
    ...reviewHandlers(ctx),
    ...adminHandlers(ctx),
  };
  // Every other console call runs on the login only for the window that signed in.
  for (const name of Object.keys(callGroups) as CallName[]) {
    if (callGroups[name] !== 'console' || OPEN_CONSOLE_CALLS.includes(name)) continue;
    const handler = handlers[name] as (request: unknown, call: CallContext) => Promise<unknown>;
    (handlers as Record<CallName, typeof handler>)[name] = (request, call) => {
      ctx.console.assertCaller(call.senderId);
      return handler(request, call);
    };
  }
  return handlers;
}
