// Generates ID-card images for the ID verification tests: a face photo, printed fields and a TD1
// machine-readable zone, rendered by sharp (SVG text) onto a plain card.
import sharp, { type OverlayOptions } from 'sharp';
import { buildTd1 } from '../../../src-main/proctoring/id/mrz';
import { fixture } from './scenes';

export const CARD_PERSON = {
  surname: 'COLLINS',
  givenNames: 'EILEEN MARIE',
  documentNumber: 'L898902C3',
  dateOfBirth: '1956-11-19',
  expiry: '2034-04-15',
  nationality: 'UTO',
  sex: 'F' as const,
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const yymmdd = (iso: string): string => iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
const dmy = (iso: string): string => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

export async function makeIdCard(options: { face?: string | null; blank?: boolean } = {}): Promise<Buffer> {
  const W = 856;
  const H = 540;
  const p = CARD_PERSON;
  const mrz = buildTd1({
    issuingState: 'UTO',
    documentNumber: p.documentNumber,
    dateOfBirth: yymmdd(p.dateOfBirth),
    sex: p.sex,
    expiry: yymmdd(p.expiry),
    nationality: p.nationality,
    surname: p.surname,
    givenNames: p.givenNames,
  });
  const field = (label: string, value: string, y: number): string =>
    `<text x="330" y="${y}" font-family="DejaVu Sans" font-size="17" fill="#333">${esc(label)}</text>` +
    `<text x="330" y="${y + 28}" font-family="DejaVu Sans" font-weight="bold" font-size="25" fill="#000">${esc(value)}</text>`;
  const text = options.blank
    ? ''
    : `<text x="40" y="60" font-family="DejaVu Sans" font-weight="bold" font-size="30" fill="#123">UTOPIA IDENTITY CARD</text>` +
      field('Surname', p.surname, 110) +
      field('Given names', p.givenNames, 170) +
      field('Document No', p.documentNumber, 230) +
      field('Date of birth', dmy(p.dateOfBirth), 290) +
      field('Date of expiry', dmy(p.expiry), 350) +
      mrz
        .map(
          (line, i) =>
            `<text x="40" y="${440 + i * 36}" font-family="DejaVu Sans Mono" font-size="31" fill="#000">${esc(line)}</text>`,
        )
        .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" rx="24" fill="#eef3f6"/>${text}</svg>`;
  const layers: OverlayOptions[] = [{ input: Buffer.from(svg), left: 0, top: 0 }];
  if (options.face !== null && !options.blank) {
    const face = await sharp(fixture(options.face ?? 'astronaut.jpg'))
      .extract({ left: 72, top: 0, width: 200, height: 250 })
      .resize(260, 325)
      .toBuffer();
    layers.push({ input: face, left: 40, top: 85 });
  }
  return sharp({ create: { width: W, height: H, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .png()
    .toBuffer();
}
