// Permission policy: the app's own pages may use the camera and microphone; nothing else, and no
// other origin, gets any permission.
import { APP_ORIGIN } from './app-protocol';

const ALLOWED_MEDIA = new Set(['video', 'audio']);

export interface PermissionDetails {
  requestingUrl?: string;
  securityOrigin?: string;
  mediaTypes?: string[];
  mediaType?: string;
}

export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'app:' ? `app://${parsed.host}` : parsed.origin;
  } catch {
    return undefined;
  }
}

export function isPermissionAllowed(
  permission: string,
  origin: string | undefined,
  details: PermissionDetails = {},
): boolean {
  if (origin !== APP_ORIGIN) return false;
  if (permission !== 'media') return false;
  const types = details.mediaTypes ?? (details.mediaType ? [details.mediaType] : []);
  return types.every((type) => ALLOWED_MEDIA.has(type));
}

type RequestHandler = (
  webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: PermissionDetails,
) => void;
type CheckHandler = (
  webContents: unknown,
  permission: string,
  requestingOrigin: string,
  details: PermissionDetails,
) => boolean;

/** The part of Electron's Session this module uses. */
export interface SessionLike {
  setPermissionRequestHandler(handler: RequestHandler | null): void;
  setPermissionCheckHandler(handler: CheckHandler | null): void;
}

export function installPermissionHandlers(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, originOf(details.requestingUrl), details));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed(permission, originOf(requestingOrigin || details.securityOrigin), details),
  );
}
