// Sets the renderer's CSP on every response the session receives, as a second layer behind the
// app:// protocol handler (which sets it too): if anything other than app:// ever loads, it still
// runs under the same policy.
import { contentSecurityPolicy } from '../security/csp';

interface HeadersDetails {
  responseHeaders?: Record<string, string[]>;
}

/** The part of Electron's Session.webRequest this module uses. */
export interface WebRequestLike {
  onHeadersReceived(
    listener: (
      details: HeadersDetails,
      callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void,
  ): void;
}

/** The response headers without any CSP of their own (ours replaces it, never merges with it). */
export function withoutCsp(headers: Record<string, string[]> = {}): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-security-policy'),
  );
}

export function installCspHeaders(webRequest: WebRequestLike): void {
  webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...withoutCsp(details.responseHeaders),
        'Content-Security-Policy': [contentSecurityPolicy()],
      },
    });
  });
}
