// The renderer's Content Security Policy, shared by the Electron app:// protocol and the headless
// host. No inline scripts, no eval, no remote code; media only from the app itself and local blobs.
export function contentSecurityPolicy(options: { websocketOrigin?: string } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    options.websocketOrigin ? `connect-src 'self' ${options.websocketOrigin}` : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
