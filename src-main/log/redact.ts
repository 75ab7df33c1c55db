// Scrubs secrets from anything about to be logged: values under secret-looking keys, credentials in
// URLs, and token=… pairs in free text. Applied to every log line's object and message.
const SECRET_KEY = /(token|secret|password|passwd|api[-_]?key|authorization|cookie|credential|signature)/i;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;
const TOKEN_PAIR = /\b(token|api[-_]?key|password|secret)=([^&\s"']+)/gi;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g;
export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`)
    .replace(TOKEN_PAIR, `$1=${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`);
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
      SECRET_KEY.test(key) && child !== undefined && child !== null
        ? REDACTED
        : redactValue(child, depth + 1);
  }
  return out;
}
