// Keeps every version of a session's report on disk: regenerating after a proctor's decisions
// adds a version and never overwrites an earlier one, so what a panel was sent can always be shown
// again. One folder per session with vNNNN.pdf files and an index.json listing them. Storing the
// PDF as a blob and syncing it is the store's job; it hooks in after `add`.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { VigilError } from '../errors';

export interface ArchivedReport {
  version: number;
  reportId: string;
  createdAt: string;
  /** Why this version was made, e.g. session_end, decision, manual. */
  reason: string;
  file: string;
  bytes: number;
  sha256: string;
}

export interface NewReportVersion {
  version: number;
  reportId: string;
  createdAt: string;
  reason: string;
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export class ReportArchive {
  constructor(readonly rootDir: string) {}

  private dirFor(sessionId: string): string {
    if (!SESSION_ID.test(sessionId)) {
      throw new VigilError('BAD_REQUEST', `"${sessionId}" is not a valid session id.`, { sessionId });
    }
    return path.join(this.rootDir, sessionId);
  }

  /** Every stored version, oldest first. */
  async list(sessionId: string): Promise<ArchivedReport[]> {
    const file = path.join(this.dirFor(sessionId), 'index.json');
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries = JSON.parse(text) as ArchivedReport[];
    return entries.sort((a, b) => a.version - b.version);
  }

  /** Past every listed version and every vNNNN.pdf on disk (one left by a crash mid-write). */
  async nextVersion(sessionId: string): Promise<number> {
    const listed = (await this.list(sessionId)).map((e) => e.version);
    let files: string[] = [];
    try {
      files = await fs.readdir(this.dirFor(sessionId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const onDisk = files.flatMap((f) => (/^v(\d{4,})\.pdf$/.exec(f) ? [Number(f.slice(1, -4))] : []));
    return Math.max(0, ...listed, ...onDisk) + 1;
  }

  /** Stores a new version; refuses to replace one that exists (CONFLICT). */
  async add(sessionId: string, pdf: Buffer, meta: NewReportVersion): Promise<ArchivedReport> {
    const dir = this.dirFor(sessionId);
    await fs.mkdir(dir, { recursive: true });
    const name = `v${String(meta.version).padStart(4, '0')}.pdf`;
    const target = path.join(dir, name);
    // Exclusive create: two writers racing for the same version cannot both win.
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(target, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new VigilError('CONFLICT', `Version ${meta.version} of this report already exists.`, {
          sessionId,
          version: meta.version,
        });
      }
      throw error;
    }
    try {
      await handle.writeFile(pdf);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const entry: ArchivedReport = {
      ...meta,
      file: name,
      bytes: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    };
    const entries = (await this.list(sessionId)).filter((e) => e.version !== meta.version);
    entries.push(entry);
    const index = path.join(dir, 'index.json');
    const tmp = `${index}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(entries, null, 2) + '\n');
    await fs.rename(tmp, index);
    return entry;
  }

  /** The bytes of one version, checked against the hash recorded when it was stored. */
  async read(sessionId: string, version: number): Promise<Buffer> {
    const entry = (await this.list(sessionId)).find((e) => e.version === version);
    if (!entry) {
      throw new VigilError('NOT_FOUND', `There is no version ${version} of this session's report.`, {
        sessionId,
        version,
      });
    }
    const data = await fs.readFile(path.join(this.dirFor(sessionId), entry.file));
    if (createHash('sha256').update(data).digest('hex') !== entry.sha256) {
      throw new VigilError('CONFLICT', `Version ${version} of this report was altered after it was stored.`, {
        sessionId,
        version,
        file: entry.file,
      });
    }
    return data;
  }
}
