// `vigil admin …` as a user runs it: a real child process against a real PostgreSQL, with files in
// and out (exam JSON, candidate CSV, mail-merge CSV, list CSV, receipts).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt, type Receipt } from '../../../src-main/admin/retention';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { unwrapWithStartCode } from '../../../src-main/security/exam-seal';
import { migrateCentral } from '../../../src-main/central/migrate';
import { makeTempDir } from '../../support/app';
import { runVigil } from '../../support/cli';
import { startPostgres, type PostgresCluster } from '../../support/postgres';
import { PASSWORD, seedConsole, type Seed } from '../../support/review/seed';

let cluster: PostgresCluster;
let owner: CentralStore;
let seed: Seed;
let dir: string;

beforeAll(async () => {
  cluster = await startPostgres();
  owner = openPostgres({ url: cluster.url, sslMode: 'disable' });
  await migrateCentral(owner.db as never);
  seed = await seedConsole(owner.query);
  dir = makeTempDir('vigil-admin-cli-');
}, 60_000);

afterAll(async () => {
  await owner?.close();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const admin = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runVigil(
    ['admin', ...args, '--db', cluster.urlFor('admin_al', PASSWORD), '--ssl-mode', 'disable', '--json'],
    {
      VIGIL_DATA_DIR: dir,
      VIGIL_POLICY_FILE: path.join(dir, 'policy.json'),
      ...env,
    },
  );

function json<T>(result: { status: number | null; stdout: string; stderr: string }): T {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as T;
}

describe('vigil admin', () => {
  it('creates an exam, a proctor login and enrollment codes with a mail-merge CSV', async () => {
    const examFile = path.join(dir, 'exam.json');
    fs.writeFileSync(
      examFile,
      JSON.stringify({
        title: 'CLI exam',
        type: 'PER',
        difficulty: 4,
        keyQuestions: [{ question: 'Tell us about a conflict', time_limit_s: 180 }],
        accommodationProfiles: [{ name: 'screen reader', extraTimePercent: 25 }],
        retentionDays: 14,
        uploadMode: 'flags_only',
      }),
    );
    const { id: examId } = json<{ id: string }>(admin(['exam', '--file', examFile]));
    const { id: proctorId } = json<{ id: string }>(
      admin(
        [
          'add-staff',
          '--email',
          'cli-proctor@example.org',
          '--login',
          'cli_proctor',
          '--name',
          'Cli Proctor',
        ],
        {
          VIGIL_STAFF_PASSWORD: 'a-long-password-123',
        },
      ),
    );
    json(admin(['assign', '--exam', examId, '--proctor', proctorId]));

    const candidates = path.join(dir, 'candidates.csv');
    fs.writeFileSync(
      candidates,
      'email,name,accommodation\r\nann@example.org,Ann,screen reader\r\n"bob@example.org","=cmd|\' /C calc\'!A0",\r\n',
    );
    const out = path.join(dir, 'merge.csv');
    expect(
      json<{ count: number }>(admin(['enroll', '--exam', examId, '--candidates', candidates, '--out', out]))
        .count,
    ).toBe(2);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('email,name,exam,code,expires_at');
    expect(lines[1]).toMatch(/^ann@example\.org,Ann,CLI exam,[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4},/);
    expect(lines[2]).toContain(`'=cmd|`);
    // The accommodation column gives Ann (only) the exam's "screen reader" profile.
    const accommodations = await owner.query<{ email: string; accommodation: string | null }>(
      `SELECT u.email, n.accommodation FROM vigil.enrollments n JOIN vigil.users u ON u.id = n.candidate_id
       WHERE n.exam_id = $1 ORDER BY u.email`,
      [examId],
    );
    expect(accommodations).toEqual([
      { email: 'ann@example.org', accommodation: 'screen reader' },
      { email: 'bob@example.org', accommodation: null },
    ]);
    // An unknown profile is refused, naming the exam's profiles, and nobody is enrolled.
    fs.writeFileSync(candidates, 'email,accommodation\ncy@example.org,screen-reader\n');
    const refused = admin(['enroll', '--exam', examId, '--candidates', candidates, '--out', out]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('screen reader');

    const csvFile = path.join(dir, 'users.csv');
    json(admin(['list', 'users', '--search', 'HYPERLINK', '--csv', csvFile]));
    const users = fs.readFileSync(csvFile, 'utf8').split('\r\n');
    expect(users[0]).toBe('id,email,display_name,role,pg_role,created_at');
    expect(users[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  }, 180_000);

  it('purges with a dry run first and erases a candidate, writing matching receipts', async () => {
    const dryFile = path.join(dir, 'dry.json');
    const dry = json<Receipt>(admin(['purge', '--dry-run', '--receipt', dryFile]));
    expect(JSON.parse(fs.readFileSync(dryFile, 'utf8'))).toEqual(dry);
    expect(verifyReceipt(dry)).toBe(true);
    const old = seed.sessions.find((s) => s.examId === seed.examA)!;
    expect(dry.sessions.map((s) => s.id)).toEqual([old.id]);
    expect(await owner.query(`SELECT 1 FROM vigil.sessions WHERE id = $1`, [old.id])).toHaveLength(1);
    const real = json<Receipt>(admin(['purge']));
    expect(real.rows).toEqual(dry.rows);
    expect(await owner.query(`SELECT 1 FROM vigil.sessions WHERE id = $1`, [old.id])).toHaveLength(0);

    const victim = seed.sessions.find((s) => s.examId === seed.examB)!;
    const tar = path.join(dir, 'export.tar');
    const exported = json<{ entries: string[] }>(
      admin(['export-candidate', '--candidate', victim.candidateId, '--out', tar]),
    );
    expect(exported.entries).toContain('data.json');
    expect(fs.statSync(tar).size % 512).toBe(0);
    const receiptFile = path.join(dir, 'erase.json');
    const erased = json<Receipt>(
      admin(['erase', '--candidate', victim.candidateId, '--receipt', receiptFile]),
    );
    expect(verifyReceipt(JSON.parse(fs.readFileSync(receiptFile, 'utf8')) as Receipt)).toBe(true);
    expect(erased.rows).toMatchObject({ users: 1, sessions: 1 });
    expect(await owner.query(`SELECT 1 FROM vigil.users WHERE id = $1`, [victim.candidateId])).toHaveLength(
      0,
    );
  }, 180_000);

  it('issues a start code that opens the exam’s key, and a new code replaces the last', async () => {
    const { code } = json<{ code: string }>(admin(['start-code', '--exam', seed.examA]));
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const read = () =>
      owner.query<{ salt: Buffer; wrapped_key: Buffer; content_key: Buffer }>(
        `SELECT s.salt, s.wrapped_key, k.content_key FROM vigil.exam_start_codes s
         JOIN vigil.exam_keys k USING (exam_id) WHERE exam_id = $1`,
        [seed.examA],
      );
    const [first] = await read();
    const wrap = { salt: first!.salt, wrappedKey: first!.wrapped_key };
    expect(await unwrapWithStartCode(wrap, code, seed.examA)).toEqual(first!.content_key);
    // Only the wrap is stored: the code itself is nowhere in the database row.
    expect(Buffer.concat([first!.salt, first!.wrapped_key]).includes(Buffer.from(code))).toBe(false);
    const { code: next } = json<{ code: string }>(admin(['start-code', '--exam', seed.examA]));
    const [second] = await read();
    await expect(
      unwrapWithStartCode({ salt: second!.salt, wrappedKey: second!.wrapped_key }, code, seed.examA),
    ).rejects.toThrow(/does not open/);
    expect(
      await unwrapWithStartCode({ salt: second!.salt, wrappedKey: second!.wrapped_key }, next, seed.examA),
    ).toEqual(first!.content_key);
  });

  it('refuses a proctor login and says what to do without a server', () => {
    const asProctor = runVigil(
      ['admin', 'purge', '--dry-run', '--db', cluster.urlFor('proctor_a', PASSWORD), '--ssl-mode', 'disable'],
      { VIGIL_DATA_DIR: dir, VIGIL_POLICY_FILE: path.join(dir, 'policy.json') },
    );
    expect(asProctor.status).toBe(1);
    expect(asProctor.stderr).toContain('permission denied');
    const noServer = runVigil(['admin', 'usage'], {
      VIGIL_DATA_DIR: dir,
      VIGIL_POLICY_FILE: path.join(dir, 'policy.json'),
      VIGIL_CENTRAL_URL: '',
    });
    expect(noServer.status).toBe(1);
    expect(noServer.stderr).toContain('--db');
  }, 60_000);
});
