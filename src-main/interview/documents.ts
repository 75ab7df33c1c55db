// Resumes and job listings: validated, extracted, then stored in one statement, so a failed upload
// leaves nothing behind. Synchronous writes (better-sqlite3) so a caller's transaction can wrap them.
import { createHash, randomUUID } from 'node:crypto';
import { VigilError } from '../errors';
import { extractDocumentText, extractPastedText, type ExtractedText } from './document-text';
import type { UntrustedParser } from '../parsers/parser-pool';
import type Database from 'better-sqlite3';
import type { Tx } from '../store/local-store';
import type { DocumentKind, InterviewDocument } from './types';

const tableOf: Record<DocumentKind, string> = { resume: 'resumes', job_listing: 'job_listings' };

interface DocumentRow {
  id: string;
  title: string;
  format: InterviewDocument['format'];
  file_name: string | null;
  byte_size: number;
  sha256: string;
  text: string;
  created_at: string;
}

const toDocument = (kind: DocumentKind, r: DocumentRow): InterviewDocument => ({
  id: r.id,
  kind,
  title: r.title,
  format: r.format,
  fileName: r.file_name,
  byteSize: r.byte_size,
  sha256: r.sha256,
  text: r.text,
  createdAt: r.created_at,
});

export interface DocumentStoreOptions {
  maxBytes?: number;
  /** The worker PDF and DOCX files are parsed in (default: the process's shared one). */
  parser?: UntrustedParser;
  now?: () => Date;
  newId?: () => string;
}

export class DocumentStore {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly db: Database.Database;
  constructor(
    store: Tx,
    private readonly options: DocumentStoreOptions = {},
  ) {
    this.db = store.raw;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  private title(kind: DocumentKind, title: string): string {
    const trimmed = title.trim();
    const what = kind === 'resume' ? 'resume' : 'job listing';
    if (!trimmed) throw new VigilError('BAD_REQUEST', `Give the ${what} a title.`, { field: 'title' });
    if (trimmed.length > 200)
      throw new VigilError('BAD_REQUEST', `The ${what} title is longer than 200 characters.`, {
        field: 'title',
      });
    return trimmed;
  }

  /** Uploads a PDF, DOCX or text file. Nothing is stored unless every check passes. */
  async addFile(
    kind: DocumentKind,
    input: { title: string; fileName: string; bytes: Uint8Array },
  ): Promise<InterviewDocument> {
    const title = this.title(kind, input.title);
    const extracted = await extractDocumentText(input, {
      maxBytes: this.options.maxBytes,
      parser: this.options.parser,
    });
    return this.insert(kind, title, input.fileName, input.bytes, extracted);
  }

  /** Pasted text, e.g. a job listing copied from a web page. */
  addText(kind: DocumentKind, input: { title: string; text: string }): InterviewDocument {
    const title = this.title(kind, input.title);
    const extracted = extractPastedText(input.text);
    return this.insert(kind, title, null, Buffer.from(input.text, 'utf8'), extracted);
  }

  private insert(
    kind: DocumentKind,
    title: string,
    fileName: string | null,
    bytes: Uint8Array,
    extracted: ExtractedText,
  ): InterviewDocument {
    const row: DocumentRow = {
      id: this.newId(),
      title,
      format: extracted.format,
      file_name: fileName,
      byte_size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      text: extracted.text,
      created_at: this.now().toISOString(),
    };
    this.db
      .prepare(
        `insert into ${tableOf[kind]} (id, title, format, file_name, byte_size, sha256, text, created_at)
         values (@id, @title, @format, @file_name, @byte_size, @sha256, @text, @created_at)`,
      )
      .run(row);
    return toDocument(kind, row);
  }

  get(kind: DocumentKind, id: string): InterviewDocument | null {
    const row = this.db.prepare(`select * from ${tableOf[kind]} where id = ?`).get(id) as
      DocumentRow | undefined;
    return row ? toDocument(kind, row) : null;
  }

  list(kind: DocumentKind): InterviewDocument[] {
    const rows = this.db
      .prepare(`select * from ${tableOf[kind]} order by created_at, id`)
      .all() as DocumentRow[];
    return rows.map((r) => toDocument(kind, r));
  }

  remove(kind: DocumentKind, id: string): boolean {
    return this.db.prepare(`delete from ${tableOf[kind]} where id = ?`).run(id).changes > 0;
  }
}
