// Hostile uploads cannot take the app down: a zip-bomb DOCX, a PDF whose text never ends, and a
// 100-megapixel image, all built here, are each answered INVALID_DOCUMENT within the limit, main's
// heap untouched, and the next genuine file is read as before. The parsing runs in the parser worker
// (src-main/parsers/) under time and heap limits; the size checks before it need no worker at all.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src-main/errors';
import { DocumentStore } from '../../../src-main/interview/documents';
import { UntrustedParser } from '../../../src-main/parsers/parser-pool';
import { decodeImage } from '../../../src-main/proctoring/decode-image';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { runVigil } from '../../support/cli';
import { makeDocx, makeDocxBomb, makePdf, makePdfBomb } from '../../support/document-fixtures';
import { makeTempDir } from '../../support/temp-dir';

const resumeLines = ['Grace Hopper — Compiler Engineer', 'Wrote the first compiler and COBOL.'];
const parsers: UntrustedParser[] = [];
const parser = (kind: 'document' | 'image', limits: ConstructorParameters<typeof UntrustedParser>[1]) => {
  const p = new UntrustedParser(kind, limits);
  parsers.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(parsers.map((p) => p.close()));
});

let db: LocalStore;
beforeEach(async () => {
  db = await openLocalStore(':memory:');
});
afterEach(async () => {
  await db.close();
});
const stored = () => (db.raw.prepare('select count(*) as n from resumes').get() as { n: number }).n;

/** The typed error of `promise`, and how long it took to come. */
async function refusal(promise: Promise<unknown>): Promise<{ error: VigilError; ms: number }> {
  const start = Date.now();
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VigilError);
  return { error: error as VigilError, ms: Date.now() - start };
}
const heapMb = () => process.memoryUsage().heapUsed / 2 ** 20;

describe('a zip-bomb DOCX', () => {
  it('whose directory declares 300 MB is refused before anything is inflated', async () => {
    const documents = parser('document', {});
    const store = new DocumentStore(db, { parser: documents });
    const bomb = makeDocxBomb(300);
    expect(bomb.byteLength).toBeLessThan(2 * 2 ** 20); // a small upload
    const { error, ms } = await refusal(
      store.addFile('resume', { title: 'Bomb', fileName: 'bomb.docx', bytes: bomb }),
    );
    expect(error.code).toBe('INVALID_DOCUMENT');
    expect(error.details).toMatchObject({ problem: 'unpacks_too_large', entry: 'word/document.xml' });
    expect(error.message).toContain('Save it again as .docx');
    expect(ms).toBeLessThan(1000);
    expect(documents.started).toBe(0); // refused from the directory alone
    expect(stored()).toBe(0);
    // A genuine DOCX still goes through.
    const doc = await store.addFile('resume', {
      title: 'Grace',
      fileName: 'grace.docx',
      bytes: await makeDocx(resumeLines),
    });
    expect(doc.text).toContain('Wrote the first compiler');
  });

  it(
    'whose directory lies (1 KB declared, 300 MB inside) is stopped in the worker',
    { timeout: 60_000 },
    async () => {
      const documents = parser('document', { timeoutMs: 8_000, maxOldGenerationSizeMb: 128 });
      const store = new DocumentStore(db, { parser: documents });
      const heapBefore = heapMb();
      const { error, ms } = await refusal(
        store.addFile('resume', {
          title: 'Lying bomb',
          fileName: 'liar.docx',
          bytes: makeDocxBomb(300, { declaredSize: 1000 }),
        }),
      );
      expect(error.code).toBe('INVALID_DOCUMENT');
      expect(['corrupt', 'out_of_memory', 'timeout']).toContain(error.details?.problem);
      expect(ms).toBeLessThan(8_000 + 2_000);
      expect(heapMb() - heapBefore).toBeLessThan(100); // the 300 MB never reached main
      expect(stored()).toBe(0);
      const doc = await store.addFile('resume', {
        title: 'Grace',
        fileName: 'grace.docx',
        bytes: await makeDocx(resumeLines),
      });
      expect(doc.text).toContain('Grace Hopper');
    },
  );
});

describe('a PDF whose text never ends (a content stream inflating to 300 MB of text operators)', () => {
  it(
    'is stopped at the time limit; the worker is replaced and the next PDF parses',
    { timeout: 60_000 },
    async () => {
      const documents = parser('document', { timeoutMs: 3_000 });
      const store = new DocumentStore(db, { parser: documents });
      // A genuine PDF first: the worker is up, so the limit measures the bomb alone.
      await store.addFile('resume', {
        title: 'Before',
        fileName: 'before.pdf',
        bytes: await makePdf(resumeLines),
      });
      const { error, ms } = await refusal(
        store.addFile('resume', { title: 'Bomb', fileName: 'endless.pdf', bytes: makePdfBomb(300) }),
      );
      expect(error.code).toBe('INVALID_DOCUMENT');
      expect(error.details).toMatchObject({ problem: 'timeout', fileName: 'endless.pdf', limitMs: 3_000 });
      expect(error.message).toContain('took longer than 3 s');
      expect(ms).toBeGreaterThanOrEqual(2_900);
      expect(ms).toBeLessThan(3_000 + 2_000);
      expect(stored()).toBe(1);
      const after = await store.addFile('resume', {
        title: 'After',
        fileName: 'after.pdf',
        bytes: await makePdf(resumeLines),
      });
      expect(after.text.replace(/\s+/g, ' ')).toContain('Wrote the first compiler and COBOL.');
      expect(documents.started).toBe(2);
    },
  );

  it(
    'is stopped at the heap limit when memory runs out first; main keeps working',
    { timeout: 90_000 },
    async () => {
      const documents = parser('document', { timeoutMs: 60_000, maxOldGenerationSizeMb: 48 });
      const store = new DocumentStore(db, { parser: documents });
      const { error } = await refusal(
        store.addFile('resume', { title: 'Bomb', fileName: 'huge.pdf', bytes: makePdfBomb(300) }),
      );
      expect(error.code).toBe('INVALID_DOCUMENT');
      expect(error.details).toMatchObject({ problem: 'out_of_memory', limitMb: 48 });
      expect(error.message).toContain('more than 48 MB of memory');
      const after = await store.addFile('resume', {
        title: 'After',
        fileName: 'after.pdf',
        bytes: await makePdf(resumeLines),
      });
      expect(after.format).toBe('pdf');
    },
  );
});

describe('a 100-megapixel image', () => {
  it('is refused from its header; a normal photo still decodes', { timeout: 60_000 }, async () => {
    const images = parser('image', {});
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    const decodesPhoto = async () => {
      const frame = await decodeImage(photo, { parser: images });
      expect({ width: frame.width, height: frame.height, channels: frame.channels }).toEqual({
        width: 640,
        height: 480,
        channels: 3,
      });
    };
    await decodesPhoto(); // the worker is up: the time below is the refusal's alone
    // Solid colour: 10 000 × 10 000 pixels compress to a small PNG.
    const huge = await sharp({
      create: { width: 10_000, height: 10_000, channels: 3, background: '#3366cc' },
      limitInputPixels: false,
    })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(huge.byteLength).toBeLessThan(2 * 2 ** 20);
    const { error, ms } = await refusal(decodeImage(huge, { parser: images }));
    expect(error.code).toBe('INVALID_DOCUMENT');
    expect(error.details).toMatchObject({ problem: 'too_many_pixels', width: 10_000, height: 10_000 });
    expect(error.message).toContain('Take the photo again at a lower resolution');
    expect(ms).toBeLessThan(2_000);
    await decodesPhoto();
    // Garbage is a typed error too.
    const garbage = await refusal(decodeImage(new Uint8Array(1000).fill(7), { parser: images }));
    expect(garbage.error).toMatchObject({ code: 'INVALID_DOCUMENT', details: { problem: 'corrupt' } });
  });
});

describe('`vigil questions --resume` (the CLI reading a resume, through bin/vigil.mjs)', () => {
  it(
    'answers a zip bomb with the typed message, and reads a genuine PDF in its worker',
    { timeout: 180_000 },
    async () => {
      const dir = makeTempDir('vigil-hostile-');
      try {
        const bomb = path.join(dir.dir, 'resume.docx');
        fs.writeFileSync(bomb, makeDocxBomb(300));
        const env = { OPENAI_API_KEY: '', VIGIL_AI_API_KEY: '' };
        const refused = runVigil(
          ['questions', '--type', 'PER', '--difficulty', '3', '--resume', bomb, '--json'],
          env,
        );
        expect(refused.status).toBe(1);
        expect(refused.stderr).toContain('resume.docx is not a normal Word document');
        expect(refused.stderr).toContain('unpacks to more than 100 MB');
        const good = path.join(dir.dir, 'resume.pdf');
        fs.writeFileSync(good, await makePdf(resumeLines));
        const read = runVigil(
          ['questions', '--type', 'PER', '--difficulty', '3', '--resume', good, '--json'],
          env,
        );
        expect(read.stderr).toBe('');
        expect(read.status).toBe(0);
        expect(JSON.parse(read.stdout)).toHaveLength(5);
      } finally {
        dir.cleanup();
      }
    },
  );
});
