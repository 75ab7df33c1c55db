// Embedded fonts for the report. pdfkit's built-in fonts only cover Latin-1, so names and answers
// with other scripts need a real TrueType font; DejaVu Sans (Bitstream Vera licence, shipped in
// resources/fonts) covers Latin with all accents, Greek, Cyrillic, Armenian, Georgian, Hebrew and
// basic Arabic letters. pdfkit embeds only the glyphs used (subsetting), so the PDF stays small.
import fs from 'node:fs';
import { create, type Font } from 'fontkit';
import { fileURLToPath } from 'node:url';

export const reportFonts = {
  body: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  italic: 'DejaVuSans-Oblique.ttf',
  mono: 'DejaVuSansMono.ttf',
} as const;
export type ReportFont = keyof typeof reportFonts;

/** resources/fonts from the package root (the same from src-main/reports/ and dist/main/). */
export function defaultFontDir(): string {
  return fileURLToPath(new URL('../../resources/fonts', import.meta.url));
}

const cache = new Map<string, Font>();

/**
 * Parsed fonts, created once per process and shared by every report: parsing the four files and
 * decoding their glyphs again for each PDF costs more than drawing it. Reuse is safe because a
 * report is drawn synchronously (pdfkit keeps each document's subset on its own side).
 */
export function loadReportFonts(fontDir = defaultFontDir()): Record<ReportFont, Font> {
  const out = {} as Record<ReportFont, Font>;
  for (const [name, file] of Object.entries(reportFonts) as [ReportFont, string][]) {
    const full = `${fontDir}/${file}`;
    let font = cache.get(full);
    if (!font) {
      font = create(fs.readFileSync(full));
      cache.set(full, font);
    }
    out[name] = font;
  }
  return out;
}
