// PDF (unpdf, a maintained pdf.js build) and DOCX (mammoth) text extraction. Runs only inside the
// parser worker (parser-worker.ts), where a hostile file can exhaust nothing but that worker.
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';
import { documentProblem as problem } from './document-problem';

export async function pdfText(bytes: Uint8Array, fileName: string): Promise<string> {
  let pdf;
  try {
    // pdf.js takes ownership of the buffer: give it a copy.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PasswordException')
      throw problem(
        'encrypted',
        fileName,
        `${fileName} is password-protected. Remove the password and upload it again.`,
      );
    throw problem(
      'corrupt',
      fileName,
      `${fileName} could not be read as a PDF (${(error as Error).message}). Export it again or paste the text instead.`,
    );
  }
  try {
    const { text } = await extractText(pdf, { mergePages: true });
    return text;
  } catch (error) {
    throw problem(
      'corrupt',
      fileName,
      `The text of ${fileName} could not be read (${(error as Error).message}).`,
    );
  } finally {
    await pdf.destroy();
  }
}

export async function docxText(bytes: Uint8Array, fileName: string): Promise<string> {
  try {
    const result = await mammoth.extractRawText({
      buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
    return result.value;
  } catch (error) {
    throw problem(
      'corrupt',
      fileName,
      `${fileName} could not be read as a Word document (${(error as Error).message}). Save it again as .docx or paste the text instead.`,
    );
  }
}
