// All contract handlers, one group per domain. TypeScript checks that together they cover every
// call in the contract exactly as typed.
import type { Handlers } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';
import { appHandlers } from './app';
import { lockdownHandlers } from './lockdown';

export function createHandlers(ctx: AppContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...lockdownHandlers(ctx),
  };
}
