// Turns PostgreSQL errors from the central server into VigilErrors the UI and the sync loop can act
// on: refused credentials, someone else's data, a wrong chunk offset, a bad hash, or a server that
// cannot be reached (which the uploader retries with backoff).
import { VigilError } from '../errors';

interface PgErrorLike {
  code?: string;
  detail?: string;
  hint?: string;
  message?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now (starting up)
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300', // too many connections
  '40001', // serialization failure: retry
  '40P01', // deadlock: retry
  '57014', // statement timeout: retry later
]);

/** Node's TLS verification failures (sslmode=verify-full): an unknown CA, a wrong host name, expiry. */
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The used/limit facts of a VG507 refusal (its DETAIL is JSON written by blob_begin). */
function parseQuotaDetail(detail: string | undefined): {
  scope: string;
  usedBytes: number;
  limitBytes: number;
  usedBlobs: number;
  limitBlobs: number;
  blobBytes: number;
} {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(detail ?? '{}') as Record<string, unknown>;
  } catch {
    // An unreadable DETAIL still refuses the file; the figures read 0.
  }
  const n = (key: string) => Number(raw[key] ?? 0) || 0;
  return {
    scope: raw.scope === 'device' ? 'device' : 'session',
    usedBytes: n('usedBytes'),
    limitBytes: n('limitBytes'),
    usedBlobs: n('usedBlobs'),
    limitBlobs: n('limitBlobs'),
    blobBytes: n('blobBytes'),
  };
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof VigilError) return error.code === 'UNAVAILABLE';
  return true;
}

export function centralError(error: unknown, action: string): VigilError {
  if (error instanceof VigilError) return error;
  const e = (error ?? {}) as PgErrorLike;
  const code = e.code ?? '';
  const message = e.message ?? String(error);
  if (TLS_CODES.has(code)) {
    // Not a bug and not the device's fault: the server cannot be verified, so nothing is sent.
    return new VigilError(
      'UNAVAILABLE',
      `The central server's TLS certificate could not be verified (${message}). Vigil keeps everything ` +
        'locally and retries; IT must set central.caFile to the CA that signed the server certificate ' +
        'and use the host name the certificate names.',
      { action, tls: code },
      { cause: error },
    );
  }
  if (code === '28000' && e.detail === 'window_closed') {
    // Central 0455: the exam's window and its late-upload grace are over. Enrolling again cannot
    // help; what is not uploaded stays here for the institution to collect.
    const enrolling = message.startsWith('enrollment code refused');
    return new VigilError(
      'FORBIDDEN',
      enrolling
        ? `The enrollment code was refused: the exam's window has closed. ${e.hint ?? ''} ` +
            'Contact the institution that runs the exam.'
        : `The central server refused this device: the exam's window has closed. ${e.hint ?? ''} ` +
            'Anything not yet uploaded stays on this device; contact the institution that runs the exam.',
      { action, reason: 'window_closed', tokenRefused: !enrolling },
      { cause: error },
    );
  }
  if (code === '28000' || code === '28P01') {
    return new VigilError(
      'FORBIDDEN',
      `The central server refused this device (${e.detail ?? 'refused'}). Enroll the device again with a new code.`,
      { action, reason: e.detail ?? 'refused', tokenRefused: true },
      { cause: error },
    );
  }
  if (code === 'VG403' || code === '42501') {
    // DETAIL, when given, is a reason word and its fact (release_exam_key: "not_open <time>").
    const [reason, fact] = (e.detail ?? '').split(' ');
    return new VigilError(
      'FORBIDDEN',
      `The central server refused ${action}: ${message}`,
      { action, ...(reason ? { reason } : {}), ...(fact ? { at: fact } : {}) },
      { cause: error },
    );
  }
  if (code === 'VG409') {
    return new VigilError(
      'CONFLICT',
      message,
      { action, serverOffset: Number(e.detail ?? 0) },
      { cause: error },
    );
  }
  if (code === 'VG422') {
    return new VigilError(
      'INTEGRITY',
      message,
      { action, serverOffset: Number(e.detail ?? 0) },
      { cause: error },
    );
  }
  if (code === 'VG413') {
    // The server's configured blob limit (vigil.central_settings.max_blob_bytes): retrying cannot help.
    const maxBytes = Number(e.detail ?? 0);
    return new VigilError(
      'PAYLOAD_TOO_LARGE',
      `The central server refused ${action}: ${message}. Ask the institution's administrator to raise ` +
        'max_blob_bytes in vigil.central_settings; the file stays on this device until then.',
      { action, maxBytes },
      { cause: error },
    );
  }
  if (code === 'VG507') {
    // The exam's storage quota for this session or device (central 0520): retrying cannot help until
    // an administrator raises it; nothing already filed is lost.
    const quota = parseQuotaDetail(e.detail);
    const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;
    return new VigilError(
      'QUOTA_EXCEEDED',
      `The central server refused ${action}: the ${quota.scope}'s storage quota is used up ` +
        `(${bytes(quota.usedBytes)} of ${bytes(quota.limitBytes)}, ${quota.usedBlobs} of ${quota.limitBlobs} files; ` +
        `this file: ${bytes(quota.blobBytes)}). Everything already sent is kept. Tell your proctor or IT: an ` +
        "administrator raises the exam's policy.storageQuota, then run `vigil sync retry` (or restart " +
        'Vigil); the file stays on this device until then.',
      { action, ...quota },
      { cause: error },
    );
  }
  if (code === 'VG400' || code.startsWith('22') || code.startsWith('23')) {
    return new VigilError(
      'BAD_REQUEST',
      `The central server rejected ${action}: ${message}`,
      { action },
      { cause: error },
    );
  }
  if (
    NETWORK_CODES.has(code) ||
    /connect|terminat|timeout|closed|ECONN|socket/i.test(message) ||
    code === ''
  ) {
    return new VigilError(
      'UNAVAILABLE',
      `The central server cannot be reached (${message}); Vigil keeps everything locally and retries.`,
      { action },
      { cause: error },
    );
  }
  return new VigilError(
    'INTERNAL',
    `Central server error during ${action}: ${message}`,
    { action, code },
    { cause: error },
  );
}
