// Reads the candidate list for bulk enrollment (a CSV with `email` and optional `name` and
// `accommodation` columns, as exported from a spreadsheet): RFC 4180 quoting, CRLF or LF, a BOM tolerated.
import { VigilError } from '../errors';

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

export interface CandidateRow {
  email: string;
  name?: string;
  /** Name of one of the exam's accommodation profiles (empty cell: none). */
  accommodation?: string;
}

export function parseCandidates(text: string): CandidateRow[] {
  const [header, ...rows] = parseCsv(text);
  const columns = (header ?? []).map((h) => h.trim().toLowerCase());
  const email = columns.indexOf('email');
  const name = columns.indexOf('name');
  const accommodation = columns.indexOf('accommodation');
  if (email < 0)
    throw new VigilError(
      'BAD_REQUEST',
      'The candidate CSV needs an "email" column (and optionally "name" and "accommodation").',
    );
  return rows.map((r, i) => {
    const value = (r[email] ?? '').trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(value)) {
      throw new VigilError('BAD_REQUEST', `Row ${i + 2} of the candidate CSV has no valid e-mail address.`, {
        row: i + 2,
      });
    }
    const row: CandidateRow = { email: value };
    if (name >= 0 && r[name]?.trim()) row.name = r[name].trim();
    if (accommodation >= 0 && r[accommodation]?.trim()) row.accommodation = r[accommodation].trim();
    return row;
  });
}
