// CSV for admin exports and mail merge: formula-looking cells are neutralised, quoting round-trips,
// and the candidate list reader accepts what spreadsheets write.
import { describe, expect, it } from 'vitest';
import { neutraliseCell, toCsv } from '../../../src-main/admin/csv';
import { parseCandidates, parseCsv } from '../../../src-main/admin/csv-read';

describe('CSV export', () => {
  it('neutralises every formula trigger, and only at the start', () => {
    for (const bad of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x","y")']) {
      expect(neutraliseCell(bad)).toBe(`'${bad}`);
    }
    for (const ok of ['Ann', 'a=b', 'x-1', 'mail@example.org', '', ' Ann', '"quoted"'])
      expect(neutraliseCell(ok)).toBe(ok);
  });

  it('neutralises a trigger hidden behind leading spaces or quotes, and full-width triggers', () => {
    // Spreadsheets skip leading blanks and strip quotes on import, so these still evaluate.
    for (const bad of [
      ' =1+1',
      '   @SUM(A1)',
      '\u00A0=1',
      '"=1+1"',
      "'=1+1",
      ' "-2+3',
      '\n=1',
      '＝1+1',
      ' ＠x',
    ])
      expect(neutraliseCell(bad)).toBe(`'${bad}`);
  });

  it('writes numbers as numbers, quotes what needs it and round-trips through the reader', () => {
    const csv = toCsv(
      ['name', 'score', 'note'],
      [
        { name: '=HYPERLINK("http://evil","x")', score: -5, note: 'a, "b"\nc' },
        { name: 'Ann', score: 7.5, note: null },
      ],
    );
    expect(csv).toBe(
      `name,score,note\r\n"'=HYPERLINK(""http://evil"",""x"")",-5,"a, ""b""\nc"\r\nAnn,7.5,\r\n`,
    );
    expect(parseCsv(csv)).toEqual([
      ['name', 'score', 'note'],
      [`'=HYPERLINK("http://evil","x")`, '-5', 'a, "b"\nc'],
      ['Ann', '7.5', ''],
    ]);
  });

  it('reads a candidate list with a BOM, any column order and refuses rows without an address', () => {
    expect(parseCandidates('\uFEFFName,Email\nAnn,ann@example.org\n,bob@example.org\n')).toEqual([
      { email: 'ann@example.org', name: 'Ann' },
      { email: 'bob@example.org' },
    ]);
    expect(() => parseCandidates('email\nnot-an-address\n')).toThrow(/Row 2/);
    expect(() => parseCandidates('name\nAnn\n')).toThrow(/"email" column/);
  });

  it('reads an optional accommodation column (empty cell: none)', () => {
    expect(
      parseCandidates(
        'email,accommodation,name\r\nann@example.org, extra time 50% ,Ann\r\nbob@example.org,,Bob\r\n',
      ),
    ).toEqual([
      { email: 'ann@example.org', name: 'Ann', accommodation: 'extra time 50%' },
      { email: 'bob@example.org', name: 'Bob' },
    ]);
  });
});
