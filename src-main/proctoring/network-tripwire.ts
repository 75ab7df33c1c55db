// Makes any network attempt from the analysis worker fail loudly and countable. The worker must run
// offline (models are shipped files); the tripwire turns a regression into an error and a number
// the tests check, instead of a silent download.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface NetworkAttempt {
  via: string;
  target: string;
}

const attempts: NetworkAttempt[] = [];
let installed = false;

function refuse(via: string, target: unknown): never {
  const text =
    typeof target === 'string' ? target : target instanceof URL ? target.href : JSON.stringify(target);
  attempts.push({ via, target: String(text).slice(0, 200) });
  throw new Error(`network access is not allowed in the analysis worker (${via} ${text})`);
}

/** Replaces fetch, http(s).request/get and net.connect in this thread. Idempotent. */
export function installNetworkTripwire(): void {
  if (installed) return;
  installed = true;
  globalThis.fetch = (input: unknown) => Promise.reject(safe(() => refuse('fetch', describe(input))));
  for (const [name, mod] of [
    ['http', http],
    ['https', https],
  ] as const) {
    const target = mod as unknown as Record<string, unknown>;
    target.request = (arg: unknown) => refuse(`${name}.request`, describe(arg));
    target.get = (arg: unknown) => refuse(`${name}.get`, describe(arg));
  }
  const netTarget = net as unknown as Record<string, unknown>;
  netTarget.connect = (arg: unknown) => refuse('net.connect', describe(arg));
  netTarget.createConnection = (arg: unknown) => refuse('net.createConnection', describe(arg));
}

function describe(input: unknown): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (input && typeof input === 'object' && 'url' in input) return String(input.url);
  if (input && typeof input === 'object') return JSON.stringify(input);
  return String(input);
}

function safe(fn: () => never): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
}

export function networkAttempts(): NetworkAttempt[] {
  return [...attempts];
}
