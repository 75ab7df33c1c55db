// libpq's sslmode, honoured wherever Vigil connects to the central server: `?sslmode=` in a URL is
// obeyed (it used to be dropped, so `?sslmode=disable` still tried TLS), all six modes behave as in
// libpq against a server without TLS and one with it, --ssl-mode wins over the URL and the URL over
// central.sslMode, and "the server does not support SSL connections" says which setting to change.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenPostgres, openPostgres, type CentralOptions } from '../../../src-main/central/connect';
import { centralCheck } from '../../../src-main/doctor/checks/central';
import { runVigil } from '../../support/cli';
import { startTlsCluster, type TlsCluster } from '../../support/pg-tls-cluster';
import { startPostgres, type PostgresCluster } from '../../support/postgres';
import { makeTempDir } from '../../support/temp-dir';

let plain: PostgresCluster;
let secure: TlsCluster;
const temp = makeTempDir();

beforeAll(async () => {
  [plain, secure] = await Promise.all([startPostgres(), startTlsCluster()]);
}, 120_000);
afterAll(async () => {
  await plain?.stop();
  secure?.stop();
  temp.cleanup();
});

function withParams(url: string, params: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(params)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

/** Connects, asks the server whether this very connection is encrypted, and closes. */
async function encrypted(options: CentralOptions & { url: string }): Promise<boolean> {
  const store = openPostgres(options);
  try {
    const [row] = await store.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return row!.ssl;
  } finally {
    await store.close();
  }
}

const secureUrl = () => `postgresql://postgres@127.0.0.1:${secure.port}/postgres`;

describe('a server without TLS', () => {
  it('connects in plaintext when the URL says sslmode=disable, allow or prefer', async () => {
    for (const sslmode of ['disable', 'allow', 'prefer'])
      expect(await encrypted({ url: withParams(plain.url, { sslmode }) }), sslmode).toBe(false);
  });

  it('lets the URL win over central.sslMode (the libpq rule: the connection string beats the environment)', async () => {
    expect(
      await encrypted({ url: withParams(plain.url, { sslmode: 'disable' }), defaultSslMode: 'verify-full' }),
    ).toBe(false);
  });

  it('refuses require, verify-ca and verify-full, naming the setting that asked for TLS and how to change it', async () => {
    for (const sslmode of ['require', 'verify-ca', 'verify-full']) {
      const refused = encrypted({ url: withParams(plain.url, { sslmode }) });
      await expect(refused).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        details: { tls: 'unsupported', sslMode: sslmode, sslModeSource: 'url' },
      });
      await expect(refused).rejects.toThrow(/does not support SSL connections.*sslmode= in the central URL/);
    }
    const byDefault = encrypted({ url: plain.url });
    await expect(byDefault).rejects.toThrow(/sslmode is verify-full \(from the default\)/);
    await expect(byDefault).rejects.toThrow(/\?sslmode=disable.*--ssl-mode disable.*central\.sslMode/);
  });

  it('lets an explicit --ssl-mode win over the URL', async () => {
    const refused = encrypted({ url: withParams(plain.url, { sslmode: 'disable' }), sslMode: 'require' });
    await expect(refused).rejects.toThrow(/sslmode is require \(from --ssl-mode\)/);
    expect(await encrypted({ url: withParams(plain.url, { sslmode: 'require' }), sslMode: 'disable' })).toBe(
      false,
    );
  });

  it('rejects an sslmode libpq does not know, listing the valid ones', () => {
    expect(() => openPostgres({ url: withParams(plain.url, { sslmode: 'off' }) })).toThrow(
      /sslmode=off .*disable, allow, prefer, require, verify-ca, verify-full/,
    );
  });

  it('opens the LISTEN connection with the URL sslmode too', async () => {
    const listener = await listenPostgres(
      { url: withParams(plain.url, { sslmode: 'disable' }) },
      ['x'],
      () => {},
    );
    await listener.close();
  });

  it('vigil migrate --central …?sslmode=disable migrates; --ssl-mode require on top says what to change', () => {
    const env = {
      VIGIL_DATA_DIR: path.join(temp.dir, 'cli'),
      VIGIL_POLICY_FILE: path.join(temp.dir, 'none.json'),
    };
    const url = withParams(plain.url, { sslmode: 'disable' });
    const migrated = runVigil(['migrate', '--central', url], env);
    expect(migrated.stderr).toBe('');
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toMatch(/applied \d+ migration/);
    const refused = runVigil(['migrate', '--central', url, '--ssl-mode', 'require'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/does not support SSL connections.*from --ssl-mode/);
    const unknown = runVigil(['migrate', '--central', url, '--ssl-mode', 'sometimes'], env);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/verify-ca/);
  }, 120_000);

  it('doctor reports the mode the URL sets, and prefer without TLS as a warning rather than a failure', async () => {
    const check = await centralCheck({
      url: withParams(plain.url, { sslmode: 'prefer' }),
      sslMode: 'verify-full',
    });
    expect(check.status).toBe('warn');
    expect(check.summary).toContain('sslmode in central.url is prefer');
    expect(check.details).toMatchObject({ sslMode: 'prefer', sslModeSource: 'url' });
  });
});

describe('a server with TLS', () => {
  it('prefer and require encrypt; allow starts in plaintext, as libpq does', async () => {
    expect(await encrypted({ url: withParams(secureUrl(), { sslmode: 'prefer' }) })).toBe(true);
    expect(await encrypted({ url: withParams(secureUrl(), { sslmode: 'require' }) })).toBe(true);
    expect(await encrypted({ url: withParams(secureUrl(), { sslmode: 'allow' }) })).toBe(false);
  });

  it('verify-ca and verify-full check the chain against sslrootcert from the URL or --ca-file', async () => {
    expect(
      await encrypted({ url: withParams(secureUrl(), { sslmode: 'verify-ca', sslrootcert: secure.caFile }) }),
    ).toBe(true);
    expect(
      await encrypted({ url: withParams(secureUrl(), { sslmode: 'verify-full' }), caFile: secure.caFile }),
    ).toBe(true);
    // Without the CA the chain does not verify: refused, never downgraded.
    await expect(encrypted({ url: withParams(secureUrl(), { sslmode: 'verify-ca' }) })).rejects.toThrow(
      /self[- ]signed|certificate/i,
    );
  });
});
