// The report fonts are parsed once per process and shared by every PDF. A PDF's font subset asks
// fontkit for glyphs by id alone (a composite "É" is drawn from "E" and an accent), which once
// left the shared "E" without its character: the next report's "Evaluated" was copied and
// extracted as "valuated". Text a proctor searches or copies must survive any earlier report.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReportFonts } from '../../../src-main/reports/fonts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fonts-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function pdfWith(text: string, name: string): Promise<string> {
  const fonts = loadReportFonts();
  const doc = new PDFDocument();
  doc.registerFont('body', fonts.body as unknown as Buffer);
  const file = path.join(dir, name);
  const out = fs.createWriteStream(file);
  doc.pipe(out);
  doc.font('body').text(text);
  doc.end();
  await new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  return execFileSync('pdftotext', [file, '-']).toString().replace(/\s+/g, ' ').trim();
}

describe('shared report fonts', () => {
  it('keep every letter extractable after an earlier report embedded composite glyphs', async () => {
    // Composites first: their subset creates "E", "A", "O", "e", "c" by glyph id.
    expect(await pdfWith('École Élan Ångström Ørsted façade', 'first.pdf')).toBe(
      'École Élan Ångström Ørsted façade',
    );
    expect(await pdfWith('Evaluated by the server. Accepted Overall. ecole', 'second.pdf')).toBe(
      'Evaluated by the server. Accepted Overall. ecole',
    );
  });
});
