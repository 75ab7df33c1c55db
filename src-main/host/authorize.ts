// Decides whether a WebSocket upgrade may reach the contract: the peer must be on loopback, the page
// must come from the host's own origin (no other site in the user's browser can connect), the Host
// header must name the host (against DNS rebinding), and the per-run token must match. The URL also
// declares which window the page is (`?window=candidate|console`): the connection is then served
// only that window's calls and events, as the Electron shell does per window.
import { timingSafeEqual } from 'node:crypto';
import { isWindowKind, type WindowKind } from '../../src-preload/contract-windows';

export interface UpgradeFacts {
  remoteAddress: string | undefined;
  origin: string | undefined;
  host: string | undefined;
  url: string | undefined;
}

export interface HostIdentity {
  port: number;
  token: string;
  path: string;
}

export type UpgradeDecision =
  { ok: true; window: WindowKind } | { ok: false; status: 400 | 401 | 403; reason: string };

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function authorizeUpgrade(facts: UpgradeFacts, identity: HostIdentity): UpgradeDecision {
  if (!isLoopbackAddress(facts.remoteAddress)) {
    return { ok: false, status: 403, reason: `peer ${facts.remoteAddress ?? 'unknown'} is not on loopback` };
  }
  const hosts = allowedHosts(identity.port);
  if (!facts.host || !hosts.includes(facts.host)) {
    return { ok: false, status: 403, reason: `Host header ${facts.host ?? '(none)'} is not this host` };
  }
  if (!facts.origin || !hosts.map((h) => `http://${h}`).includes(facts.origin)) {
    return { ok: false, status: 403, reason: `origin ${facts.origin ?? '(none)'} is not allowed` };
  }
  const url = new URL(facts.url ?? '/', 'http://placeholder');
  if (url.pathname !== identity.path)
    return { ok: false, status: 400, reason: `no endpoint at ${url.pathname}` };
  const token = url.searchParams.get('token');
  if (!token || !sameSecret(token, identity.token))
    return { ok: false, status: 401, reason: 'missing or wrong token' };
  const window = url.searchParams.get('window');
  if (!isWindowKind(window))
    return { ok: false, status: 400, reason: `no window declared (window=${window ?? ''})` };
  return { ok: true, window };
}
