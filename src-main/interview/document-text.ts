// Text extraction from resumes and job listings: PDF (unpdf, a maintained pdf.js build), DOCX
// (mammoth) or pasted text. The type is decided from the file's bytes, not its name, and each way a
// file can be unusable (too big, encrypted, corrupt, empty, unsupported, a zip bomb, parsing that
// runs out of time or memory) is a typed error that says what the user should do. PDF and DOCX are
// parsed in the parser worker (src-main/parsers/), under time and memory limits, after the size
// checks here: the file's bytes, and for DOCX its zip directory's declared sizes.
import { documentProblem } from '../parsers/document-problem';
import { sharedParser, type UntrustedParser } from '../parsers/parser-pool';
import { checkZipDirectory } from '../parsers/zip-directory';
import type { DocumentFormat } from './types';

export const DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** Extracted text beyond this is cut: no resume or listing needs more, and prompts stay bounded. */
export const MAX_DOCUMENT_CHARS = 100_000;

export type { DocumentProblem } from '../parsers/document-problem';

export interface ExtractedText {
  format: DocumentFormat;
  text: string;
  truncated: boolean;
}

const problem = documentProblem;

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b);
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const ZIP = [0x50, 0x4b, 0x03, 0x04];
/** OLE compound file: password-protected .docx files and legacy .doc files both use it. */
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export function detectFormat(bytes: Uint8Array, fileName: string): DocumentFormat | 'ole' | null {
  const head = bytes.subarray(0, 1024);
  if (startsWith(head, PDF)) return 'pdf';
  if (startsWith(head, ZIP)) return 'docx';
  if (startsWith(head, OLE)) return 'ole';
  if (/\.(txt|md|text)$/i.test(fileName) && !head.includes(0)) return 'text';
  return null;
}

/** Whitespace tidied: no runs of blank lines, no trailing spaces; paragraphs kept. */
export function normaliseText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export async function extractDocumentText(
  input: { bytes: Uint8Array; fileName: string },
  options: { maxBytes?: number; parser?: UntrustedParser } = {},
): Promise<ExtractedText> {
  const { bytes, fileName } = input;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  if (bytes.byteLength > maxBytes)
    throw problem(
      'too_large',
      fileName,
      `${fileName} is ${(bytes.byteLength / 1048576).toFixed(1)} MB; the limit is ${(maxBytes / 1048576).toFixed(1)} MB. Upload a smaller file or paste the text.`,
      { sizeBytes: bytes.byteLength, limitBytes: maxBytes },
    );
  if (bytes.byteLength === 0) throw problem('empty', fileName, `${fileName} is empty.`);
  const format = detectFormat(bytes, fileName);
  if (format === 'ole')
    throw problem(
      'encrypted',
      fileName,
      `${fileName} is a password-protected or old-format (.doc) Word file. Remove the password and save it as .docx.`,
    );
  if (format === null)
    throw problem('unsupported_type', fileName, `${fileName} is not a PDF, DOCX or plain-text file.`, {
      accepted: ['pdf', 'docx', 'txt'],
    });
  let raw: string;
  if (format === 'pdf' || format === 'docx') {
    if (format === 'docx') checkZipDirectory(bytes, fileName);
    const parser = options.parser ?? sharedParser('document');
    const result = await parser.parse({ kind: 'document', format, bytes, fileName });
    raw = result.kind === 'document' ? result.text : '';
  } else {
    try {
      raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw problem('corrupt', fileName, `${fileName} is not valid UTF-8 text.`);
    }
  }
  return finish(raw, format, fileName);
}

/** Pasted text (job listings) goes through the same checks as files. */
export function extractPastedText(text: string, maxChars = MAX_DOCUMENT_CHARS): ExtractedText {
  if (text.length > maxChars * 2)
    throw problem(
      'too_large',
      '(pasted text)',
      `The pasted text is too long; the limit is ${maxChars} characters.`,
      {
        limitChars: maxChars,
      },
    );
  return finish(text, 'text', '(pasted text)');
}

function finish(raw: string, format: DocumentFormat, fileName: string): ExtractedText {
  const text = normaliseText(raw);
  if (text.length === 0)
    throw problem(
      'empty',
      fileName,
      format === 'pdf'
        ? `${fileName} contains no text (a scanned image?). Paste the text instead.`
        : `${fileName} contains no text.`,
    );
  const truncated = text.length > MAX_DOCUMENT_CHARS;
  return { format, text: truncated ? text.slice(0, MAX_DOCUMENT_CHARS) : text, truncated };
}
