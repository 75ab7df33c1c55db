// fontkit (pdfkit's font engine) ships no type declarations; this covers the part Vigil uses:
// parsing a font once so every report reuses it and its glyph caches.
declare module 'fontkit' {
  export interface GlyphRun {
    positions: object[];
  }
  export interface Font {
    layout(text: string, features?: unknown): GlyphRun;
    hasGlyphForCodePoint(codePoint: number): boolean;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
