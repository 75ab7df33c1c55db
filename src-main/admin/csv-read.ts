// Reads the candidate list for bulk enrollment (a CSV with `email` and optional `name` columns, as
// exported from a spreadsheet): RFC 4180 quoting, CRLF or LF, a BOM tolerated.
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

export function parseCandidates(text: string): { email: string; name?: string }[] {
  const [header, ...rows] = parseCsv(text);
  const columns = (header ?? []).map((h) => h.trim().toLowerCase());
  const email = columns.indexOf('email');
  const name = columns.indexOf('name');
  if (email < 0)
    throw new VigilError('BAD_REQUEST', 'The candidate CSV needs an "email" column (and optionally "name").');
  return rows.map((r, i) => {
    const value = (r[email] ?? '').trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(value)) {
      throw new VigilError('BAD_REQUEST', `Row ${i + 2} of the candidate CSV has no valid e-mail address.`, {
        row: i + 2,
      });
    }
    return name >= 0 && r[name]?.trim() ? { email: value, name: r[name].trim() } : { email: value };
  });
}
