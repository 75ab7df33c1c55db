// Scrubs secrets from anything about to be logged: values under secret-looking keys, credentials in
// URLs, and token=… pairs in free text. Applied to every log line's object and message.
const SECRET_KEY =
  /(token|secret|password|passwd|api[-_]?key|authorization|cookie|credential|signature|enrollmentCode|startCode)/i;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;
const TOKEN_PAIR = /\b(token|api[-_]?key|password|secret)=([^&\s"']+)/gi;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g;
// An enrollment or start code as handed out (XXXX-XXXX-XXXX, Crockford base32): whoever holds one can
// enroll a device. Upper case and standalone, so a UUID's groups never match.
const HANDED_OUT_CODE =
  /(?<![\w-])[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}(?![\w-])/g;
/** A code as a person may type it (any case, spaces or dashes): 12 Crockford base32 characters. */
const TYPED_CODE = /^[0-9A-HJKMNP-TV-Z]{12}$/;
export const REDACTED = '[redacted]';

function looksLikeHandedOutCode(value: unknown): boolean {
  return typeof value === 'string' && TYPED_CODE.test(value.replace(/[\s-]/g, '').toUpperCase());
}

export function redactText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`)
    .replace(TOKEN_PAIR, `$1=${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(HANDED_OUT_CODE, REDACTED);
}

export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactText(value.message),
      stack: value.stack && redactText(value.stack),
    };
  }
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] =
      (SECRET_KEY.test(key) && child !== undefined && child !== null) ||
      // `code` is also an error code (ENOENT, NOT_FOUND), which support needs: only a value shaped
      // like an enrollment code is hidden.
      (key === 'code' && looksLikeHandedOutCode(child))
        ? REDACTED
        : redactValue(child, depth + 1);
  }
  return out;
}
