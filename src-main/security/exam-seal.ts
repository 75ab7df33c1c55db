// The exam content sealed at rest (central migration 0445): the device opens what the server sealed
// with pgcrypto, and the admin service wraps the content key for an offline start. Both formats
// are authenticated, so a byte changed in the device's cache is refused rather than decrypted.
//
// Sealed content: 0x01 ‖ IV (16) ‖ AES-256-CBC(PKCS#7) ciphertext ‖ HMAC-SHA256(0x01 ‖ IV ‖ ct),
// enc and MAC keys derived from the exam's 32-byte content key (HMAC-SHA256 of 'vigil exam enc' /
// 'vigil exam mac'). Encrypt-then-MAC because pgcrypto, which seals on the server, has no AEAD.
// Offline wrap: scrypt(start code, 16-byte salt) → AES-256-GCM key; wrap = nonce (12) ‖ ct (32) ‖
// tag (16), with the exam id as associated data (a wrap cannot be moved to another exam).
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  randomInt,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';

const VERSION = 0x01;
const IV_BYTES = 16;
const MAC_BYTES = 32;
export const CONTENT_KEY_BYTES = 32;
/** N = 2^15 (32 MiB): a guess costs ~0.1 s, and a 60-bit code cannot be searched offline. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const START_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const START_CODE_LENGTH = 12;

/** The sealed bytes did not authenticate: edited, truncated, or sealed under another key. */
export class SealBroken extends Error {
  override readonly name = 'SealBroken';
}

function subkey(key: Buffer, label: string): Buffer {
  return createHmac('sha256', key).update(label, 'utf8').digest();
}

/** What pgcrypto does in fetch_exam, for the admin demo and tests that build a cache by hand. */
export function sealContent(content: unknown, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-cbc', subkey(key, 'vigil exam enc'), iv);
  const ct = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
  const body = Buffer.concat([Buffer.from([VERSION]), iv, ct]);
  return Buffer.concat([body, createHmac('sha256', subkey(key, 'vigil exam mac')).update(body).digest()]);
}

/** The content as JSON, or SealBroken when a byte differs from what the server sealed. */
export function openSealed(sealed: Buffer, key: Buffer): unknown {
  if (key.length !== CONTENT_KEY_BYTES) throw new SealBroken('the exam key has the wrong length');
  if (sealed.length < 1 + IV_BYTES + 16 + MAC_BYTES || sealed[0] !== VERSION)
    throw new SealBroken('the sealed exam is truncated or of an unknown version');
  const body = sealed.subarray(0, sealed.length - MAC_BYTES);
  const mac = sealed.subarray(sealed.length - MAC_BYTES);
  const expected = createHmac('sha256', subkey(key, 'vigil exam mac')).update(body).digest();
  // The MAC first: nothing unauthenticated reaches the decryption (no padding oracle).
  if (!timingSafeEqual(mac, expected)) throw new SealBroken('the sealed exam does not authenticate');
  const iv = body.subarray(1, 1 + IV_BYTES);
  const decipher = createDecipheriv('aes-256-cbc', subkey(key, 'vigil exam enc'), iv);
  const text = Buffer.concat([decipher.update(body.subarray(1 + IV_BYTES)), decipher.final()]).toString(
    'utf8',
  );
  return JSON.parse(text) as unknown;
}

/** Start codes are read aloud in a room and typed: case, spaces and dashes do not matter. */
export function normaliseStartCode(code: string): string {
  return code.replace(/[^0-9a-z]/gi, '').toUpperCase();
}

/** A new start code, 12 characters of Crockford-style base32 (60 bits), grouped for reading aloud. */
export function newStartCode(): string {
  let code = '';
  for (let i = 0; i < START_CODE_LENGTH; i++)
    code += START_CODE_ALPHABET[randomInt(START_CODE_ALPHABET.length)];
  return code.match(/.{4}/g)!.join('-');
}

function deriveCodeKey(code: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(normaliseStartCode(code), salt, 32, SCRYPT, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** The content key wrapped under a start code: what the device's cache keeps for an offline start. */
export async function wrapWithStartCode(
  key: Buffer,
  code: string,
  examId: string,
): Promise<{ salt: Buffer; wrappedKey: Buffer }> {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', await deriveCodeKey(code, salt), nonce);
  cipher.setAAD(Buffer.from(examId.toLowerCase(), 'utf8'));
  const ct = Buffer.concat([cipher.update(key), cipher.final()]);
  return { salt, wrappedKey: Buffer.concat([nonce, ct, cipher.getAuthTag()]) };
}

/** The content key, or SealBroken for a wrong code (or an edited wrap: GCM cannot tell them apart). */
export async function unwrapWithStartCode(
  wrap: { salt: Buffer; wrappedKey: Buffer },
  code: string,
  examId: string,
): Promise<Buffer> {
  const { salt, wrappedKey } = wrap;
  if (wrappedKey.length !== 12 + CONTENT_KEY_BYTES + 16) throw new SealBroken('the offline key is truncated');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    await deriveCodeKey(code, salt),
    wrappedKey.subarray(0, 12),
  );
  decipher.setAAD(Buffer.from(examId.toLowerCase(), 'utf8'));
  decipher.setAuthTag(wrappedKey.subarray(12 + CONTENT_KEY_BYTES));
  try {
    return Buffer.concat([
      decipher.update(wrappedKey.subarray(12, 12 + CONTENT_KEY_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new SealBroken('the start code does not open this exam');
  }
}
