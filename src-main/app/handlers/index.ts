// All contract handlers, one group per domain. TypeScript checks that together they cover every
// call in the contract exactly as typed.
import type { Handlers } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';
import { appHandlers } from './app';
import { candidateHandlers } from './candidate';
import { mediaHandlers } from './media';
import { doctorHandlers } from './doctor';
import { reviewHandlers } from './review';
import { adminHandlers } from './admin';

export function createHandlers(ctx: AppContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...candidateHandlers(ctx),
    ...mediaHandlers(ctx),
    ...doctorHandlers(ctx),
    ...reviewHandlers(ctx),
    ...adminHandlers(ctx),
  };
}
