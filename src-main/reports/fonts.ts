// Embedded fonts for the report. pdfkit's built-in fonts only cover Latin-1, so names and answers
// with other scripts need a real TrueType font; DejaVu Sans (Bitstream Vera licence, shipped in
// resources/fonts) covers Latin with all accents, Greek, Cyrillic, Armenian, Georgian, Hebrew and
// basic Arabic letters. pdfkit embeds only the glyphs used (subsetting), so the PDF stays small.
import fs from 'node:fs';
import { create, type Font, type GlyphRun } from 'fontkit';
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
      font = withSharedLayoutCache(withGlyphCodePoints(create(fs.readFileSync(full))));
      cache.set(full, font);
    }
    out[name] = font;
  }
  return out;
}

/** The fields of fontkit's Glyph that depend on the characters it was created for. */
interface GlyphCharacters {
  codePoints: number[];
  isMark: boolean;
  isLigature: boolean;
}
type GetGlyph = (id: number, characters?: number[]) => GlyphCharacters | null;

/**
 * fontkit keeps one Glyph object per glyph id and font, created with the characters of its first
 * request. A PDF subset asks for glyphs by id alone (the components of a composite such as "É" are
 * "E" and the accent), so once a shared font has embedded "É", a later document's "E" came back
 * with no characters: its ToUnicode entry was empty and copied or extracted text read "valuated"
 * for "Evaluated". A request that knows the characters fills in a glyph created without them,
 * with the two flags fontkit derives from them.
 */
function withGlyphCodePoints(font: Font): Font {
  const target = font as unknown as { getGlyph: GetGlyph };
  const getGlyph = target.getGlyph.bind(font);
  target.getGlyph = (id, characters = []) => {
    const glyph = getGlyph(id, characters);
    if (glyph && glyph.codePoints.length === 0 && characters.length > 0) {
      glyph.codePoints = characters;
      glyph.isMark = characters.every(isCombiningMark);
      glyph.isLigature = characters.length > 1;
    }
    return glyph;
  };
  return font;
}

/** fontkit's own test (unicode-properties' isMark): general category M. */
function isCombiningMark(codePoint: number): boolean {
  return /^\p{M}$/u.test(String.fromCodePoint(codePoint));
}

const LAYOUT_CACHE_LIMIT = 50_000;

/**
 * Shaping a word with fontkit costs ~0.1–0.5 ms and pdfkit's own cache lives only as long as one
 * document, while labels, numbers and common words recur in every report. This keeps shaped runs
 * for the life of the process. pdfkit scales the positions of the run it gets in place, so each
 * caller receives a copy with fresh position objects; glyphs are immutable and shared.
 */
function withSharedLayoutCache(font: Font): Font {
  const runs = new Map<string, GlyphRun>();
  const layout = (text: string, features?: unknown): GlyphRun => {
    if (features !== undefined) return font.layout(text, features);
    let run = runs.get(text);
    if (!run) {
      if (runs.size >= LAYOUT_CACHE_LIMIT) runs.clear();
      run = font.layout(text);
      runs.set(text, run);
    }
    const copy = Object.create(Object.getPrototypeOf(run) as object) as GlyphRun;
    Object.assign(copy, run);
    copy.positions = run.positions.map(
      (p) => Object.assign(Object.create(Object.getPrototypeOf(p) as object), p) as object,
    );
    return copy;
  };
  return new Proxy(font, {
    get(target, prop) {
      if (prop === 'layout') return layout;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
