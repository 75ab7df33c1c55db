// SCRAM-SHA-256 verifiers for PostgreSQL logins (RFC 5802 / RFC 7677, the format PostgreSQL stores in
// pg_authid.rolpassword). Vigil computes the verifier here and sends only that to the server, so a
// login's password never appears in SQL text: not in the server log (log_statement), not in
// pg_stat_statements, not in a DBA's screen of running queries. PostgreSQL recognises a value in this
// format given to CREATE/ALTER ROLE … PASSWORD and stores it as is; a client then logs in with the
// password as usual.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's own default (scram_iterations in 16+, fixed at 4096 in 15). */
export const SCRAM_ITERATIONS = 4096;

/** What scramVerifier returns; also what vigil.create_login (migration 0510) accepts. */
export const SCRAM_VERIFIER =
  /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$/;

/**
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` for `password`. The password is
 * normalised with NFKC, which is what SASLprep does to the passwords people type (PostgreSQL
 * applies SASLprep on its side too, so both ends hash the same bytes).
 */
export function scramVerifier(
  password: string,
  options: { iterations?: number; salt?: Buffer } = {},
): string {
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const salt = options.salt ?? randomBytes(16);
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
