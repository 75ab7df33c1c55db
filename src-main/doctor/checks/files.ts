// Model and binary files Vigil ships: present, non-empty, with their sha256 so support can compare
// a machine against a known-good install. A missing file is named.
import fs from 'node:fs';
import path from 'node:path';
import { requiredHumanModels, type BundledPaths } from '../bundled-files';
import { sha256File } from '../hash';
import type { DoctorCheck } from '../types';

interface FileEntry {
  role: string;
  path: string;
}

export function expectedFiles(paths: BundledPaths): FileEntry[] {
  const files: FileEntry[] = [];
  for (const model of requiredHumanModels)
    for (const ext of ['json', 'bin'])
      files.push({ role: `face model ${model}`, path: path.join(paths.humanModelsDir, `${model}.${ext}`) });
  files.push({ role: 'OCR English data', path: path.join(paths.tesseractDataDir, 'eng.traineddata.gz') });
  files.push({ role: 'ffmpeg', path: paths.ffmpegPath });
  files.push({ role: 'ffprobe', path: paths.ffprobePath });
  return files;
}

export async function filesCheck(paths: BundledPaths): Promise<DoctorCheck> {
  const files: { role: string; path: string; bytes?: number; sha256?: string; problem?: string }[] = [];
  for (const entry of expectedFiles(paths)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(entry.path);
    } catch {
      files.push({ ...entry, problem: 'missing' });
      continue;
    }
    if (!stat.isFile() || stat.size === 0) {
      files.push({ ...entry, bytes: stat.size, problem: 'empty or not a file' });
      continue;
    }
    files.push({ ...entry, bytes: stat.size, sha256: await sha256File(entry.path) });
  }
  const bad = files.filter((f) => f.problem);
  return {
    id: 'files',
    title: 'Models and binaries',
    status: bad.length > 0 ? 'fail' : 'ok',
    summary:
      bad.length > 0
        ? `${bad.map((f) => `${f.role} ${f.problem}: ${f.path}`).join('; ')}. Reinstall Vigil to restore the files.`
        : `${files.length} files present (face models, OCR data, ffmpeg, ffprobe)`,
    details: { files },
  };
}
