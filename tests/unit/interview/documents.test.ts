// Resume and job-listing uploads: PDF and DOCX built at test time extract to the expected text;
// encrypted, corrupt, empty, oversized and unsupported files fail with a typed error and store nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src-main/errors';
import { DocumentStore } from '../../../src-main/interview/documents';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { makeDocx, makePdf } from '../../support/document-fixtures';

const resumeLines = [
  'Ada Lovelace — Senior Backend Engineer',
  'Built TypeScript services on Node.js and PostgreSQL for a payments company.',
  'Led incident response and query tuning.',
];

let db: LocalStore;
let store: DocumentStore;
beforeEach(async () => {
  db = await openLocalStore(':memory:');
  store = new DocumentStore(db, { maxBytes: 200_000 });
});
afterEach(async () => {
  await db.close();
});

async function rejection(promise: Promise<unknown>): Promise<VigilError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VigilError);
  return error as VigilError;
}
const count = () =>
  (
    db.raw
      .prepare('select (select count(*) from resumes) + (select count(*) from job_listings) as n')
      .get() as {
      n: number;
    }
  ).n;

describe('resume and job listing extraction', () => {
  it('extracts the text of a PDF built with pdfkit', async () => {
    const doc = await store.addFile('resume', {
      title: 'Ada',
      fileName: 'ada.pdf',
      bytes: await makePdf(resumeLines),
    });
    expect(doc.format).toBe('pdf');
    for (const line of resumeLines) expect(doc.text.replace(/\s+/g, ' ')).toContain(line);
    expect(store.get('resume', doc.id)?.text).toBe(doc.text);
  });

  it('extracts the text of a DOCX built with docx, paragraph by paragraph', async () => {
    const doc = await store.addFile('job_listing', {
      title: 'Backend role',
      fileName: 'listing.docx',
      bytes: await makeDocx(resumeLines),
    });
    expect(doc.format).toBe('docx');
    expect(doc.text).toBe(resumeLines.join('\n\n'));
    expect(doc.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts pasted job listing text and plain-text files', async () => {
    const pasted = store.addText('job_listing', {
      title: 'Pasted',
      text: '  We hire  engineers.\r\n\r\n\r\nRemote.  ',
    });
    expect(pasted.text).toBe('We hire engineers.\n\nRemote.');
    const file = await store.addFile('resume', {
      title: 'Txt',
      fileName: 'cv.txt',
      bytes: Buffer.from('Plain CV'),
    });
    expect(file.format).toBe('text');
    expect(store.list('job_listing')).toHaveLength(1);
  });

  it('refuses an encrypted PDF by name and stores nothing', async () => {
    const bytes = await makePdf(resumeLines, { userPassword: 'secret', ownerPassword: 'owner' });
    const error = await rejection(
      store.addFile('resume', { title: 'Locked', fileName: 'locked.pdf', bytes }),
    );
    expect(error.code).toBe('INVALID_DOCUMENT');
    expect(error.details).toMatchObject({ problem: 'encrypted', fileName: 'locked.pdf' });
    expect(error.message).toContain('password');
    expect(count()).toBe(0);
  });

  it('refuses a password-protected (OLE container) Word file', async () => {
    const ole = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(512, 1),
    ]);
    const error = await rejection(
      store.addFile('resume', { title: 'Locked', fileName: 'locked.docx', bytes: ole }),
    );
    expect(error.details).toMatchObject({ problem: 'encrypted' });
    expect(count()).toBe(0);
  });

  it('refuses truncated and garbled PDFs and DOCX files as corrupt', async () => {
    const pdf = await makePdf(resumeLines);
    const docx = await makeDocx(resumeLines);
    const cases: [string, Buffer][] = [
      ['half.pdf', pdf.subarray(0, Math.floor(pdf.length / 2))],
      ['garbage.pdf', Buffer.from('%PDF-1.7\nthis is not a pdf at all')],
      ['half.docx', docx.subarray(0, Math.floor(docx.length / 2))],
      ['garbage.docx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300, 7)])],
    ];
    for (const [fileName, bytes] of cases) {
      const error = await rejection(store.addFile('resume', { title: 'Broken', fileName, bytes }));
      expect(error.code, fileName).toBe('INVALID_DOCUMENT');
      expect(error.details, fileName).toMatchObject({ problem: 'corrupt', fileName });
    }
    expect(count()).toBe(0);
  });

  it('refuses empty files, text-less PDFs and blank pasted text', async () => {
    for (const [fileName, bytes] of [
      ['empty.pdf', Buffer.alloc(0)],
      ['blank.pdf', await makePdf([])],
      ['blank.docx', await makeDocx(['   '])],
    ] as [string, Buffer][]) {
      const error = await rejection(store.addFile('resume', { title: 'Empty', fileName, bytes }));
      expect(error.details, fileName).toMatchObject({ problem: 'empty' });
    }
    expect(() => store.addText('job_listing', { title: 'Blank', text: ' \n\t ' })).toThrow(
      /contains no text/,
    );
    expect(count()).toBe(0);
  });

  it('refuses an oversized file before parsing it, with the limit in the details', async () => {
    const error = await rejection(
      store.addFile('resume', { title: 'Big', fileName: 'big.pdf', bytes: Buffer.alloc(200_001, 0x25) }),
    );
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.details).toMatchObject({ problem: 'too_large', sizeBytes: 200_001, limitBytes: 200_000 });
    expect(count()).toBe(0);
  });

  it('refuses unsupported types and a missing title', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    const error = await rejection(
      store.addFile('resume', { title: 'Photo', fileName: 'cv.png', bytes: png }),
    );
    expect(error.details).toMatchObject({ problem: 'unsupported_type' });
    const untitled = await rejection(
      store.addFile('resume', { title: '  ', fileName: 'ada.pdf', bytes: await makePdf(resumeLines) }),
    );
    expect(untitled.code).toBe('BAD_REQUEST');
    expect(count()).toBe(0);
  });
});
