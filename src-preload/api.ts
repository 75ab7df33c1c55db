// Builds `window.vigil` from two transport primitives. Shared by the Electron preload and the
// WebSocket bridge so that both expose exactly one function per contract call.
import { callNames, type CallName, type EventName, type Result, type VigilApi } from './contract';

export type Invoke = (call: CallName, request: unknown) => Promise<Result<unknown>>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

export function buildVigilApi(invoke: Invoke, subscribe: Subscribe): VigilApi {
  const api: Record<string, unknown> = {};
  for (const name of callNames) {
    api[name] = (request: unknown) => invoke(name, request ?? {});
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => subscribe(event, listener);
  return Object.freeze(api) as unknown as VigilApi;
}
