// Builds resume and job-listing fixtures at test time: PDFs with pdfkit (plain, encrypted, blank)
// and DOCX files with the docx package, so the fixtures are reproducible and nothing binary is committed.
import { Document, Packer, Paragraph, TextRun } from 'docx';
import PDFDocument from 'pdfkit';

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
