// Connection pooler in the path: logs in with central.url (the device login) and tells whether the
// connection ends at PostgreSQL itself or at a pooler such as PgBouncer in front of it.
//
// How: at login PostgreSQL sends BackendKeyData with the process id of the backend serving this
// connection, the same number pg_backend_pid() returns inside it. A pooler answers the login itself
// and hands the client a key of its own (PgBouncer: random bytes, its cancel key), because the
// client's statements go to whichever server connection is free. So the two numbers agree exactly
// when nothing protocol-aware is in between; a plain TCP relay or NAT passes the key through and is
// rightly not reported. This needs no pooler-specific command (SHOW POOLS exists only on PgBouncer's
// admin console), no setting the pooler could rewrite (application_name, port) and no timing: the
// other signals (the backend pid changing between two transactions, current_setting('port') vs the
// URL's port) are only sometimes true behind a pooler, and also true for a port-forward.
// Two statements are sent anyway: a backend pid that changes between them is reported as evidence
// of transaction pooling (with session pooling, or a quiet transaction pool, it stays the same).
import { postgresClient } from '../../central/connect';
import type { VigilConfig } from '../../config/schema';
import type { DoctorCheck } from '../types';

interface Probe {
  pid: number;
  port: number;
}

export async function poolerCheck(central: VigilConfig['central'], timeoutMs = 5_000): Promise<DoctorCheck> {
  const base = { id: 'pooler', title: 'Connection pooler' };
  if (!central.url)
    return {
      ...base,
      status: 'skip',
      summary: 'no central server configured',
      details: { configured: false },
    };
  const where = new URL(central.url).host;
  let client: Awaited<ReturnType<typeof postgresClient>> | undefined;
  try {
    client = await postgresClient({
      url: central.url,
      defaultSslMode: central.sslMode,
      ...(central.caFile ? { caFile: central.caFile } : {}),
      timeoutMs,
    });
    client.on('error', () => undefined);
    await client.connect();
    // pg keeps the BackendKeyData it was given; @types/pg does not declare it.
    const keyPid = (client as unknown as { processID: number | null }).processID;
    const probe = async (): Promise<Probe> => {
      const { rows } = await client!.query<{ pid: number; port: number }>(
        `SELECT pg_backend_pid() AS pid, current_setting('port')::int AS port`,
      );
      return rows[0]!;
    };
    const first = await probe();
    const second = await probe();
    const pooled = keyPid !== first.pid;
    const switched = first.pid !== second.pid;
    const details = {
      configured: true,
      pooler: pooled,
      connectionKeyPid: keyPid,
      serverBackendPids: [...new Set([first.pid, second.pid])],
      serverPort: first.port,
      transactionPoolingSeen: switched,
    };
    if (!pooled)
      return {
        ...base,
        status: 'ok',
        summary: `no pooler: ${where} is PostgreSQL itself (backend ${first.pid}, port ${first.port})`,
        details,
      };
    return {
      ...base,
      status: 'ok',
      summary:
        `a connection pooler answers at ${where} (e.g. PgBouncer), in front of PostgreSQL on port ${first.port}` +
        (switched ? '; two statements ran on different server connections (transaction pooling)' : '') +
        '. Supported: the device path needs no session state (README "Connection pooler (PgBouncer)").',
      details,
    };
  } catch (error) {
    // Reachability and TLS are the central check's; here we only could not tell.
    return {
      ...base,
      status: 'warn',
      summary: `could not log in to ${where} to tell whether a pooler is in the path: ${(error as Error).message}`,
      details: { configured: true, error: (error as Error).message },
    };
  } finally {
    await client?.end().catch(() => undefined);
  }
}
