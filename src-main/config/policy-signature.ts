// Ed25519 signatures for the IT policy. The signature is detached (`policy.json.sig` next to
// `policy.json`, base64) and covers the file's exact bytes, so there is no canonical-JSON step to get
// wrong and IT can sign with plain OpenSSL too. Trusted public keys and whether a signature is
// required are baked into the app at build time (resources/policy-trust.json, inside the asar), not
// read from anything a candidate can edit.
import crypto from 'node:crypto';
import fs from 'node:fs';

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
