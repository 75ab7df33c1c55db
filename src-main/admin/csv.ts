// CSV for admin lists, mail merge and `vigil usage --csv`: the one writer of every CSV Vigil exports.
// Any text cell that a spreadsheet would read as a formula is prefixed with an apostrophe (OWASP's CSV
// injection advice), so a candidate named `=HYPERLINK(...)` or a device labelled `@SUM(...)` stays
// text; numbers are written as numbers.
//
// A trigger counts wherever a spreadsheet still sees it: first (=, +, -, @, tab, CR, LF), or after
// leading white space or quote marks, which Excel and LibreOffice skip or strip on import (` =1+1`,
// `"=1+1"` once unquoted, `'=1+1`); the full-width forms (＝＋－＠) too, since some locales' input
// methods and imports fold them to ASCII.
const FORMULA_START = /^[\t\r\n]|^[\s"'`\u00A0\u2000-\u200B\u3000\uFEFF]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/u;

/** True when a spreadsheet opening this cell could evaluate it as a formula. */
export function isFormulaTrigger(value: string): boolean {
  return FORMULA_START.test(value);
}

export function neutraliseCell(value: string): string {
  return isFormulaTrigger(value) ? `'${value}` : value;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else text = neutraliseCell(typeof value === 'string' ? value : JSON.stringify(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV (CRLF rows) with a header row naming `columns` in order. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
