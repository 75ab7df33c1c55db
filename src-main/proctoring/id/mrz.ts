// Machine-readable zone (ICAO 9303) parsing for ID cards (TD1, 3×30) and passports (TD3, 2×44),
// with check digits. OCR output is cleaned first: the filler `<` is often read as «, K or spaces.
export interface MrzResult {
  format: 'TD1' | 'TD3';
  documentType: string;
  issuingState: string;
  documentNumber: string;
  surname: string;
  givenNames: string;
  nationality: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  sex: string;
  /** YYYY-MM-DD */
  expiry: string;
  checks: { documentNumber: boolean; dateOfBirth: boolean; expiry: boolean; composite: boolean };
  valid: boolean;
}

const WEIGHTS = [7, 3, 1];

function charValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'A' && c <= 'Z') return c.charCodeAt(0) - 55;
  return 0; // '<'
}

export function checkDigit(text: string): string {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += charValue(text[i]!) * WEIGHTS[i % 3]!;
  return String(sum % 10);
}

/** YYMMDD → YYYY-MM-DD; births pivot on the current year, expiries are taken as 20YY. */
function mrzDate(yymmdd: string, kind: 'birth' | 'expiry', now = new Date()): string {
  if (!/^\d{6}$/.test(yymmdd)) return '';
  const yy = Number(yymmdd.slice(0, 2));
  const current = now.getUTCFullYear() % 100;
  const century = kind === 'expiry' ? 2000 : yy > current ? 1900 : 2000;
  return `${century + yy}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

/** Normalises an OCR'd line to MRZ characters. */
export function cleanMrzLine(line: string): string {
  return line
    .toUpperCase()
    .replace(/[«‹<]/g, '<')
    .replace(/\s+/g, '')
    .replace(/[^A-Z0-9<]/g, '<');
}

/** In digit positions, letters OCR confuses with digits are mapped back. */
function digits(text: string): string {
  return text
    .replace(/O|Q|D/g, '0')
    .replace(/I|L/g, '1')
    .replace(/Z/g, '2')
    .replace(/S/g, '5')
    .replace(/B/g, '8');
}

/** In letter positions, digits OCR confuses with letters are mapped back. */
function letters(text: string): string {
  return text.replace(/0/g, 'O').replace(/1/g, 'I').replace(/5/g, 'S').replace(/8/g, 'B').replace(/2/g, 'Z');
}

function names(field: string): { surname: string; givenNames: string } {
  const [surname = '', given = ''] = letters(field).split('<<');
  return {
    surname: surname.replace(/<+/g, ' ').trim(),
    givenNames: given.replace(/<+/g, ' ').trim(),
  };
}

function finish(r: Omit<MrzResult, 'valid'>): MrzResult {
  return { ...r, valid: Object.values(r.checks).every(Boolean) };
}

function parseTd1(l1: string, l2: string, l3: string, now?: Date): MrzResult {
  const docNumber = l1.slice(5, 14);
  const dob = digits(l2.slice(0, 6));
  const expiry = digits(l2.slice(8, 14));
  const composite =
    l1.slice(5, 30) + dob + digits(l2.slice(6, 7)) + expiry + digits(l2.slice(14, 15)) + l2.slice(18, 29);
  return finish({
    format: 'TD1',
    documentType: l1.slice(0, 2).replace(/<+/g, ''),
    issuingState: letters(l1.slice(2, 5)).replace(/<+/g, ''),
    documentNumber: docNumber.replace(/<+/g, ''),
    ...names(l3),
    nationality: letters(l2.slice(15, 18)).replace(/<+/g, ''),
    dateOfBirth: mrzDate(dob, 'birth', now),
    sex: l2.slice(7, 8),
    expiry: mrzDate(expiry, 'expiry', now),
    checks: {
      documentNumber: checkDigit(docNumber) === digits(l1.slice(14, 15)),
      dateOfBirth: checkDigit(dob) === digits(l2.slice(6, 7)),
      expiry: checkDigit(expiry) === digits(l2.slice(14, 15)),
      composite: checkDigit(composite) === digits(l2.slice(29, 30)),
    },
  });
}

function parseTd3(l1: string, l2: string, now?: Date): MrzResult {
  const docNumber = l2.slice(0, 9);
  const dob = digits(l2.slice(13, 19));
  const expiry = digits(l2.slice(21, 27));
  const composite =
    l2.slice(0, 10) + dob + digits(l2.slice(19, 20)) + expiry + digits(l2.slice(27, 28)) + l2.slice(28, 43);
  return finish({
    format: 'TD3',
    documentType: l1.slice(0, 2).replace(/<+/g, ''),
    issuingState: letters(l1.slice(2, 5)).replace(/<+/g, ''),
    documentNumber: docNumber.replace(/<+/g, ''),
    ...names(l1.slice(5)),
    nationality: letters(l2.slice(10, 13)).replace(/<+/g, ''),
    dateOfBirth: mrzDate(dob, 'birth', now),
    sex: l2.slice(20, 21),
    expiry: mrzDate(expiry, 'expiry', now),
    checks: {
      documentNumber: checkDigit(docNumber) === digits(l2.slice(9, 10)),
      dateOfBirth: checkDigit(dob) === digits(l2.slice(19, 20)),
      expiry: checkDigit(expiry) === digits(l2.slice(27, 28)),
      composite: checkDigit(composite) === digits(l2.slice(43, 44)),
    },
  });
}

/** Finds and parses an MRZ in OCR text; null when there is none. */
export function findMrz(text: string, now?: Date): MrzResult | null {
  const lines = text
    .split(/\r?\n/)
    .map(cleanMrzLine)
    .filter((line) => line.length >= 28 && (line.match(/</g)?.length ?? 0) >= 2)
    // The document-type letter I followed by a filler is often read as T, 1 or L.
    .map((line) => line.replace(/^[T1L]</, 'I<'));
  for (let i = 0; i + 2 < lines.length; i++) {
    const [a, b, c] = [lines[i]!, lines[i + 1]!, lines[i + 2]!];
    if (within(a, 30) && within(b, 30) && within(c, 30) && /^[ACI1]/.test(a)) {
      return parseTd1(pad(a, 30), pad(b, 30), pad(c, 30), now);
    }
  }
  for (let i = 0; i + 1 < lines.length; i++) {
    const [a, b] = [lines[i]!, lines[i + 1]!];
    if (within(a, 44) && within(b, 44) && a.startsWith('P')) return parseTd3(pad(a, 44), pad(b, 44), now);
  }
  return null;
}

const within = (line: string, n: number): boolean => Math.abs(line.length - n) <= 2;
const pad = (line: string, n: number): string => line.padEnd(n, '<').slice(0, n);

/** Builds a TD1 MRZ (used to generate test cards and documented as the reference layout). */
export function buildTd1(input: {
  documentType?: string;
  issuingState: string;
  documentNumber: string;
  dateOfBirth: string; // YYMMDD
  sex: 'M' | 'F' | '<';
  expiry: string; // YYMMDD
  nationality: string;
  surname: string;
  givenNames: string;
}): [string, string, string] {
  const f = (s: string, n: number): string =>
    s
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '<')
      .padEnd(n, '<')
      .slice(0, n);
  const doc = f(input.documentNumber, 9);
  const l1 = f(input.documentType ?? 'I', 2) + f(input.issuingState, 3) + doc + checkDigit(doc) + f('', 15);
  const l2start =
    input.dateOfBirth +
    checkDigit(input.dateOfBirth) +
    input.sex +
    input.expiry +
    checkDigit(input.expiry) +
    f(input.nationality, 3) +
    f('', 11);
  const composite = l1.slice(5, 30) + l2start.slice(0, 7) + l2start.slice(8, 15) + l2start.slice(18, 29);
  const l2 = l2start + checkDigit(composite);
  const l3 = f(`${input.surname}<<${input.givenNames.replace(/ /g, '<')}`, 30);
  return [l1, l2, l3];
}
