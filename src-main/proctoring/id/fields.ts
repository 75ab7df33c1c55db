// Extracts the printed fields of an ID card from OCR text: a label followed by its value on the
// same line ("DOB: 19.11.1956") or on the next line (the usual card layout). Dates become ISO.
import type { IdFields } from '../types';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** dd.mm.yyyy, dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd or "19 NOV 1956" → YYYY-MM-DD. */
export function parseDate(text: string): string | undefined {
  const t = text.toUpperCase().replace(/[Oo]/g, '0');
  let m = /(\d{4})[-./](\d{1,2})[-./](\d{1,2})/.exec(t);
  if (m) return iso(m[1]!, m[2]!, m[3]!);
  m = /(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{4})/.exec(t);
  if (m) return iso(m[3]!, m[2]!, m[1]!);
  m = /(\d{1,2})\s+([A-Z]{3})[A-Z]*\s+(\d{4})/.exec(t);
  if (m && MONTHS.includes(m[2]!)) return iso(m[3]!, String(MONTHS.indexOf(m[2]!) + 1), m[1]!);
  return undefined;
}

function iso(y: string, mo: string, d: string): string | undefined {
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const LABELS: { key: keyof IdFields | 'surname' | 'given'; re: RegExp }[] = [
  { key: 'surname', re: /^(surname|last name|family name)\b/i },
  { key: 'given', re: /^(given names?|first names?|forenames?)\b/i },
  { key: 'name', re: /^(full name|name)\b/i },
  {
    key: 'documentNumber',
    re: /^(document (no|number)|doc\.? no|card (no|number)|id (no|number)|passport no)\.?\b/i,
  },
  { key: 'dateOfBirth', re: /^(date of birth|birth date|dob|born)\b/i },
  { key: 'expiry', re: /^(date of expiry|expiry date|expiry|expires|valid until|valid thru)\b/i },
  { key: 'nationality', re: /^(nationality)\b/i },
];

export function extractFields(text: string): IdFields {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const found: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (const { key, re } of LABELS) {
      const m = re.exec(line);
      if (!m || found[key]) continue;
      const rest = line
        .slice(m[0].length)
        .replace(/^[\s:.\-/]+/, '')
        .trim();
      const value = rest.length > 0 ? rest : (lines[i + 1] ?? '');
      if (value) found[key] = value;
      break;
    }
  }
  const fields: IdFields = {};
  const name = [found.given, found.surname].filter(Boolean).join(' ') || found.name;
  if (name) fields.name = name.replace(/\s+/g, ' ').trim();
  if (found.documentNumber) {
    const doc = /[A-Z0-9]{5,}/i.exec(found.documentNumber.replace(/\s+/g, ''));
    if (doc) fields.documentNumber = doc[0].toUpperCase();
  }
  const dob = found.dateOfBirth ? parseDate(found.dateOfBirth) : undefined;
  if (dob) fields.dateOfBirth = dob;
  const expiry = found.expiry ? parseDate(found.expiry) : undefined;
  if (expiry) fields.expiry = expiry;
  if (found.nationality) fields.nationality = found.nationality.toUpperCase();
  return fields;
}
