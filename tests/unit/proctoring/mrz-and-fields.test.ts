// MRZ parsing with check digits (ICAO 9303 specimen and OCR slips) and printed-field extraction.
import { describe, expect, it } from 'vitest';
import { extractFields, parseDate } from '../../../src-main/proctoring/id/fields';
import { buildTd1, checkDigit, findMrz } from '../../../src-main/proctoring/id/mrz';

const ICAO_TD1 = [
  'I<UTOD231458907<<<<<<<<<<<<<<<',
  '7408122F1204159UTO<<<<<<<<<<<6',
  'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
];
const ICAO_TD3 = [
  'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<',
  'L898902C36UTO7408122F1204159ZE184226B<<<<<10',
];

describe('MRZ', () => {
  it('computes ICAO check digits', () => {
    expect(checkDigit('D23145890')).toBe('7');
    expect(checkDigit('740812')).toBe('2');
    expect(checkDigit('L898902C3')).toBe('6');
  });

  it('parses the ICAO TD1 specimen with every check valid', () => {
    const m = findMrz(['noise line', ...ICAO_TD1].join('\n'), new Date('2026-01-01'));
    expect(m).toMatchObject({
      format: 'TD1',
      documentNumber: 'D23145890',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      dateOfBirth: '1974-08-12',
      expiry: '2012-04-15',
      nationality: 'UTO',
      valid: true,
    });
  });

  it('parses the ICAO TD3 (passport) specimen', () => {
    expect(findMrz(ICAO_TD3.join('\n'), new Date('2026-01-01'))).toMatchObject({
      format: 'TD3',
      documentNumber: 'L898902C3',
      dateOfBirth: '1974-08-12',
      valid: true,
    });
  });

  it('repairs common OCR slips and flags a wrong check digit', () => {
    const slipped = [
      'T<UTOD231458907<<< <<<<<<<<<<<<',
      '7408122F12O4159UT0«<<<<<<<<<<6',
      'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
    ];
    expect(findMrz(slipped.join('\n'))).toMatchObject({
      valid: true,
      nationality: 'UTO',
      expiry: '2012-04-15',
    });
    const tampered = [ICAO_TD1[0]!.replace('D23145890', 'D23145891'), ICAO_TD1[1], ICAO_TD1[2]];
    expect(findMrz(tampered.join('\n'))).toMatchObject({ valid: false, checks: { documentNumber: false } });
    expect(findMrz('no machine readable zone here')).toBeNull();
  });

  it('builds a TD1 that parses back', () => {
    const lines = buildTd1({
      issuingState: 'UTO',
      documentNumber: 'D23145890',
      dateOfBirth: '740812',
      sex: 'F',
      expiry: '120415',
      nationality: 'UTO',
      surname: 'Eriksson',
      givenNames: 'Anna Maria',
    });
    expect(lines).toEqual(ICAO_TD1);
  });
});

describe('printed fields', () => {
  it('reads label/value pairs on one line or the next, and normalises dates', () => {
    const text =
      'UTOPIA IDENTITY CARD\nSurname\nCOLLINS\nGiven names\nEILEEN MARIE\nDocument No: L898902C3\nDOB 19.11.1956\nDate of expiry\n\n15 APR 2034\n';
    expect(extractFields(text)).toEqual({
      name: 'EILEEN MARIE COLLINS',
      documentNumber: 'L898902C3',
      dateOfBirth: '1956-11-19',
      expiry: '2034-04-15',
    });
  });

  it('parses the usual date layouts and refuses impossible ones', () => {
    expect(parseDate('1956-11-19')).toBe('1956-11-19');
    expect(parseDate('19/11/1956')).toBe('1956-11-19');
    expect(parseDate('1 Jan 2030')).toBe('2030-01-01');
    expect(parseDate('45.13.2020')).toBeUndefined();
    expect(extractFields('')).toEqual({});
  });
});
