// Transport-independent dispatch of contract calls: looks the call up, checks size and schema,
// runs the handler, validates its response, and turns every failure into a typed error result.
// A bad request never throws out of here, so no transport can be crashed by its peer.
import type { z } from 'zod';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  calls,
  isCallName,
  type CallName,
  type CallResponse,
  type Result,
} from '../../src-preload/contract';
import { isWindowCall, type WindowKind } from '../../src-preload/contract-windows';
import { isVigilError } from '../errors';
import type { Logger } from '../log/logger';
import { estimatePayloadBytes } from './payload-size';

/** Who is calling; transports fill it after their own checks (sender frame, token, origin). */
export interface CallContext {
  transport: 'electron' | 'host';
  origin: string;
  /**
   * The sending window's WebContents id (Electron only): the console login belongs to the window
   * that signed in (console-session.ts), so another window cannot use it.
   */
  senderId?: number;
}

/** Handlers receive the parsed request (zod output type) and return the response. */
export type Handlers = {
  [K in CallName]: (
    request: z.output<(typeof calls)[K]['request']>,
    context: CallContext,
  ) => Promise<CallResponse<K>>;
};

/** The handlers of a subset of calls, so each domain defines its own group. */
export type HandlerGroup<K extends CallName> = Pick<Handlers, K>;

export interface Dispatcher {
  dispatch(
    call: unknown,
    request: unknown,
    context: CallContext,
    rawBytes?: number,
  ): Promise<Result<unknown>>;
}

export function createDispatcher(handlers: Handlers, logger: Logger): Dispatcher {
  return {
    async dispatch(call, request, context, rawBytes) {
      if (!isCallName(call)) {
        return {
          ok: false,
          error: {
            code: 'UNKNOWN_CALL',
            message: `Unknown call ${JSON.stringify(String(call)).slice(0, 80)}.`,
          },
        };
      }
      const spec = calls[call];
      const limit = (spec as { maxRequestBytes?: number }).maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
      const size = rawBytes ?? estimatePayloadBytes(request, limit);
      if (size > limit) {
        return {
          ok: false,
          error: {
            code: 'PAYLOAD_TOO_LARGE',
            message: `The request for ${call} is larger than the ${limit} bytes it allows.`,
            details: { call, limitBytes: limit },
          },
        };
      }
      const parsed = spec.request.safeParse(request);
      if (!parsed.success) {
        return {
          ok: false,
          error: {
            code: 'BAD_REQUEST',
            message: `Invalid request for ${call}: ${parsed.error.issues
              .map((i) => `${i.path.join('.') || '(root)'} ${i.message}`)
              .join('; ')}`,
            details: {
              call,
              issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
            },
          },
        };
      }
      try {
        const handler = handlers[call] as (req: unknown, ctx: CallContext) => Promise<unknown>;
        const value = await handler(parsed.data, context);
        const checked = spec.response.safeParse(value);
        if (!checked.success) {
          logger.error({ call, issues: checked.error.issues }, 'handler broke its response schema');
          return {
            ok: false,
            error: { code: 'INTERNAL', message: `Vigil produced an invalid response for ${call}.` },
          };
        }
        return { ok: true, value: checked.data };
      } catch (error) {
        if (isVigilError(error)) return { ok: false, error: error.toContractError() };
        logger.error({ call, err: error }, 'handler failed');
        return { ok: false, error: { code: 'INTERNAL', message: `Vigil could not complete ${call}.` } };
      }
    },
  };
}

/**
 * The dispatcher as one window may use it: calls outside that window's group (contract-windows.ts)
 * are refused before any parsing, so a candidate page cannot reach the console's calls even by
 * sending their names over its transport. Both transports wrap the app's dispatcher in this per
 * sender window (Electron) or per connection (host).
 */
export function dispatcherForWindow(dispatcher: Dispatcher, window: WindowKind): Dispatcher {
  return {
    dispatch(call, request, context, rawBytes) {
      if (isCallName(call) && !isWindowCall(window, call)) {
        return Promise.resolve({
          ok: false,
          error: {
            code: 'FORBIDDEN',
            message: `The ${window} window may not call ${call}.`,
            details: { call, window },
          },
        });
      }
      return dispatcher.dispatch(call, request, context, rawBytes);
    },
  };
}
