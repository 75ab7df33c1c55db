// Checks a PDF the way a reader and a validator would: poppler renders pages to PNG and extracts
// text, qpdf checks the structure, and sharp measures how much ink a region of a page carries.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

/** Whole-document text with runs of whitespace collapsed (wrapped lines join with a space). */
export async function pdfText(file: string, page?: number): Promise<string> {
  const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
  const { stdout } = await run('pdftotext', [...range, '-enc', 'UTF-8', file, '-'], { maxBuffer: 64 << 20 });
  return stdout.replace(/\s+/g, ' ');
}

/** Lines as laid out on the page (pdftotext -layout), spaces collapsed: text side by side stays on one line. */
export async function pdfLayoutLines(file: string): Promise<string[]> {
  const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { maxBuffer: 64 << 20 });
  return stdout.split(/\n|\f/).map((line) => line.replace(/\s+/g, ' ').trim());
}

/** Text per page (1-based array index 0 = page 1), split on pdftotext's form feeds. */
export async function pdfPageTexts(file: string): Promise<string[]> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-'], { maxBuffer: 64 << 20 });
  const pages = stdout.split('\f').map((p) => p.replace(/\s+/g, ' '));
  if (pages.at(-1)?.trim() === '') pages.pop();
  return pages;
}

export async function qpdfCheck(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run('qpdf', ['--check', file]);
    return { ok: true, output: stdout };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The document outline (bookmarks): title and 1-based page of each top-level entry. */
export async function pdfOutline(file: string): Promise<{ title: string; page: number }[]> {
  const { stdout } = await run('qpdf', ['--json=2', '--json-key=outlines', file], { maxBuffer: 16 << 20 });
  const json = JSON.parse(stdout) as { outlines: { title: string; destpageposfrom1: number }[] };
  return json.outlines.map((o) => ({ title: o.title, page: o.destpageposfrom1 }));
}

export async function pdfPageSize(file: string): Promise<{ pages: number; width: number; height: number }> {
  const { stdout } = await run('pdfinfo', [file]);
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(stdout);
  const pages = /Pages:\s+(\d+)/.exec(stdout);
  return { pages: Number(pages?.[1]), width: Number(size?.[1]), height: Number(size?.[2]) };
}

/** Renders every page to greyscale PNG at `dpi`; returns the files in page order. */
export async function renderPages(file: string, outDir: string, dpi: number): Promise<string[]> {
  await fs.mkdir(outDir, { recursive: true });
  await run('pdftoppm', ['-r', String(dpi), '-gray', '-png', file, path.join(outDir, 'p')]);
  const files = (await fs.readdir(outDir)).filter((f) => /^p-\d+\.png$/.test(f));
  files.sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
  return files.map((f) => path.join(outDir, f));
}

export interface Region {
  /** In PDF points from the page's top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PageRaster {
  width: number;
  height: number;
  data: Buffer;
  /** Pixels per PDF point. */
  scale: number;
}

export async function loadPage(png: string, dpi: number): Promise<PageRaster> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data, scale: dpi / 72 };
}

/** Fraction of pixels in `region` darker than near-white (0 = blank, 1 = solid ink). */
export function inkFraction(page: PageRaster, region: Region): number {
  const x0 = Math.max(0, Math.floor(region.x * page.scale));
  const y0 = Math.max(0, Math.floor(region.y * page.scale));
  const x1 = Math.min(page.width, Math.ceil((region.x + region.width) * page.scale));
  const y1 = Math.min(page.height, Math.ceil((region.y + region.height) * page.scale));
  let inked = 0;
  let total = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      total++;
      if (page.data[y * page.width + x]! < 235) inked++;
    }
  }
  return total === 0 ? 0 : inked / total;
}
