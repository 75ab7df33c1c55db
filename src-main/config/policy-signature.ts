// Ed25519 signatures for the IT policy. The signature is detached (`policy.json.sig` next to
// `policy.json`, base64) and covers the file's exact bytes, so there is no canonical-JSON step to get
// wrong and IT can sign with plain OpenSSL too. Trusted public keys and whether a signature is
// required are baked into the app at build time (resources/policy-trust.json, inside the asar), not
// read from anything a candidate can edit.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface PolicyTrust {
  /** Ed25519 public keys: PEM (SPKI) or base64 of the raw 32 bytes. */
  publicKeys: string[];
  /** When true, an unsigned or badly signed policy is refused whatever the other layers say. */
  requireSignedPolicy: boolean;
}

export type SignatureStatus =
  | 'absent' // no policy file
  | 'unsigned' // policy without a .sig file
  | 'valid' // signed by a trusted key
  | 'invalid' // signature does not match the file (altered) or was made with an untrusted key
  | 'untrusted'; // signed, but the app has no trusted key to check it with

export const noTrust: PolicyTrust = { publicKeys: [], requireSignedPolicy: false };

export function signatureFileFor(policyFile: string): string {
  return `${policyFile}.sig`;
}

export function parsePublicKey(text: string): crypto.KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return crypto.createPublicKey(trimmed);
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes (base64) or a PEM block');
  return crypto.createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** A short, stable name for a key, shown by `vigil doctor` and `vigil policy`. */
export function keyId(key: crypto.KeyObject): string {
  const raw = Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');
  return crypto.createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

export function verifyPolicySignature(
  policyBytes: Buffer,
  signatureText: string,
  trust: PolicyTrust,
): { status: 'valid' | 'invalid' | 'untrusted'; keyId?: string } {
  if (trust.publicKeys.length === 0) return { status: 'untrusted' };
  const signature = Buffer.from(signatureText.trim(), 'base64');
  if (signature.length !== 64) return { status: 'invalid' };
  for (const text of trust.publicKeys) {
    const key = parsePublicKey(text);
    if (crypto.verify(null, policyBytes, key, signature)) return { status: 'valid', keyId: keyId(key) };
  }
  return { status: 'invalid' };
}

export function signPolicyBytes(policyBytes: Buffer, privateKeyPem: string): string {
  return crypto.sign(null, policyBytes, crypto.createPrivateKey(privateKeyPem)).toString('base64') + '\n';
}

export function generatePolicyKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: keyId(publicKey),
  };
}

/** Reads the trust file shipped inside the app; a missing file means no keys and no requirement. */
export function readPolicyTrust(file: string): PolicyTrust {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return noTrust;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<PolicyTrust>;
  return {
    publicKeys: Array.isArray(parsed.publicKeys)
      ? parsed.publicKeys.filter((k) => typeof k === 'string')
      : [],
    requireSignedPolicy: parsed.requireSignedPolicy === true,
  };
}

export const defaultTrustFile = new URL('../../resources/policy-trust.json', import.meta.url);

// ---- Serial and expiry (no replay) ------------------------------------------------------------
// A signature proves IT wrote the file, not that it is IT's current policy: an old signed policy
// (say, before IT turned the kiosk on) would verify forever. So a signed policy carries a `serial`
// (raised by IT on every change) and an `expiresAt`; the app refuses an expired one and one older
// than the newest serial this device has seen. The last seen serial is kept on this device
// (`policy-seen.json` in the default data folder): someone who owns the device can delete it, which
// re-opens a replay of an older signed policy on that device; the policy's expiry still bounds it.

export interface PolicyStamp {
  serial: number;
  expiresAt: string;
}

/** The top-level keys of the policy file that are its stamp, not settings. */
export const POLICY_STAMP_KEYS = ['serial', 'expiresAt'] as const;

/** The stamp of a parsed policy file, or why it has none a signed policy can be accepted with. */
export function readPolicyStamp(raw: Record<string, unknown>): { stamp: PolicyStamp } | { problem: string } {
  const { serial, expiresAt } = raw;
  if (serial === undefined || expiresAt === undefined)
    return {
      problem:
        'carries no "serial" and "expiresAt": a signed policy must say which version it is and until when it holds, so an old one cannot be replayed',
    };
  if (typeof serial !== 'number' || !Number.isSafeInteger(serial) || serial < 1)
    return { problem: '"serial" must be a whole number from 1, raised on every change' };
  if (
    typeof expiresAt !== 'string' ||
    Number.isNaN(Date.parse(expiresAt)) ||
    !/^\d{4}-\d{2}-\d{2}T/.test(expiresAt)
  )
    return { problem: '"expiresAt" must be an ISO date and time, e.g. 2027-06-30T00:00:00Z' };
  return { stamp: { serial, expiresAt } };
}

/** The newest policy serial this device accepted, from its `policy-seen.json`. */
export function lastSeenPolicySerial(file: string): number | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { serial?: unknown };
    return typeof parsed.serial === 'number' ? parsed.serial : undefined;
  } catch {
    return undefined; // none yet (or unreadable: the expiry still bounds a replay)
  }
}

/** Remembers an accepted serial when it is newer than the one seen before. */
export function recordSeenPolicySerial(file: string, serial: number): void {
  const seen = lastSeenPolicySerial(file);
  if (seen !== undefined && seen >= serial) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify({ serial, seenAt: new Date().toISOString() }) + '\n', {
      mode: 0o600,
    });
  } catch {
    // A read-only data folder cannot remember the serial; the policy itself is valid.
  }
}
