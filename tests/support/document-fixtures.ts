// Builds resume and job-listing fixtures at test time: PDFs with pdfkit (plain, encrypted, blank)
// and DOCX files with the docx package, so the fixtures are reproducible and nothing binary is committed.
import { Document, Packer, Paragraph, TextRun } from 'docx';
import PDFDocument from 'pdfkit';
import zlib from 'node:zlib';

export async function makePdf(
  paragraphs: string[],
  options: { userPassword?: string; ownerPassword?: string } = {},
): Promise<Buffer> {
  const doc = new PDFDocument({ ...options, compress: true });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  for (const p of paragraphs) doc.text(p).moveDown();
  doc.end();
  return done;
}

export async function makeDocx(paragraphs: string[]): Promise<Buffer> {
  const doc = new Document({
    sections: [{ children: paragraphs.map((p) => new Paragraph({ children: [new TextRun(p)] })) }],
  });
  return Packer.toBuffer(doc);
}

// Hostile uploads, built at test time.

interface ZipEntry {
  name: string;
  /** The entry's content, as chunks (a bomb's hundreds of MB never exist in memory at once). */
  chunks: Iterable<Buffer>;
  /** What the directory claims the entry unpacks to (a lying bomb); the real size by default. */
  declaredSize?: number;
}

/** A zip (deflate) written by hand, so a test can make one whose directory lies about sizes. */
export function makeZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    let crc = 0;
    let size = 0;
    // Each chunk is deflated on its own and ended with a sync flush (a non-final block): such
    // pieces concatenate into one valid deflate stream, and a repeated chunk is compressed once.
    const deflated: Buffer[] = [];
    const seen = new Map<Buffer, Buffer>();
    for (const part of entry.chunks) {
      crc = zlib.crc32(part, crc);
      size += part.length;
      let packed = seen.get(part);
      if (!packed) {
        packed = zlib.deflateRawSync(part, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
        seen.set(part, packed);
      }
      deflated.push(packed);
    }
    deflated.push(zlib.deflateRawSync(Buffer.alloc(0))); // the final, empty block
    const data = Buffer.concat(deflated);
    const declared = entry.declaredSize ?? size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(crc >>> 0, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(declared, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(header, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A valid .docx whose word/document.xml is `unpackedMb` MB of one repeated paragraph: a zip bomb
 * (deflate packs it about 1000×). `declaredSize` makes the zip directory lie about that size.
 */
export function makeDocxBomb(unpackedMb: number, options: { declaredSize?: number } = {}): Buffer {
  const w = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const paragraph = Buffer.from(
    '<w:p><w:r><w:t>' + 'All work and no play. '.repeat(40) + '</w:t></w:r></w:p>',
  );
  const block = Buffer.concat(Array.from({ length: Math.ceil(2 ** 20 / paragraph.length) }, () => paragraph));
  function* body(): Iterable<Buffer> {
    yield Buffer.from(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${w}"><w:body>`,
    );
    for (let i = 0; i < unpackedMb; i++) yield block;
    yield Buffer.from('</w:body></w:document>');
  }
  return makeZip([
    {
      name: '[Content_Types].xml',
      chunks: [
        Buffer.from(
          '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
            '<Default Extension="xml" ContentType="application/xml"/>' +
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        ),
      ],
    },
    {
      name: '_rels/.rels',
      chunks: [
        Buffer.from(
          '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        ),
      ],
    },
    { name: 'word/document.xml', chunks: body(), declaredSize: options.declaredSize },
  ]);
}

/**
 * A valid one-page PDF whose content stream inflates to `unpackedMb` MB of text-drawing operators:
 * millions of text items for pdf.js to build, far past any time limit.
 */
export function makePdfBomb(unpackedMb: number): Buffer {
  const line = Buffer.from('BT /F1 12 Tf 72 720 Td (All work and no play.) Tj ET\n');
  const block = Buffer.concat(Array.from({ length: Math.ceil(2 ** 20 / line.length) }, () => line));
  const piece = zlib.deflateRawSync(block, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  // A zlib stream: header, the repeated raw pieces, a final block; pdf.js does not check the Adler-32.
  const stream = Buffer.concat([
    Buffer.from([0x78, 0xda]),
    ...Array.from({ length: unpackedMb }, () => piece),
    zlib.deflateRawSync(Buffer.alloc(0)),
    Buffer.alloc(4),
  ]);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const chunk =
      body === null
        ? Buffer.concat([
            Buffer.from(`${i + 1} 0 obj\n<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`),
            stream,
            Buffer.from('\nendstream\nendobj\n'),
          ])
        : Buffer.from(`${i + 1} 0 obj\n${body}\nendobj\n`);
    parts.push(chunk);
    length += chunk.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref));
  return Buffer.concat(parts);
}
