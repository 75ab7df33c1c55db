// Runs the packing file-list check end to end: electron-builder's file list for this repository,
// compared with tests/fixtures/release/packing-manifest.json. Shared by the test and by
// scripts/check-packing.mjs (which can also rewrite the manifest's package list).
import fs from 'node:fs';
import path from 'node:path';
import {
  checkFileList,
  summarizeFileList,
  type FileListSummary,
  type PackingManifest,
} from './file-list-check';
import { captureFileList, type PackedEntry } from './pack-file-list';

export const manifestPath = 'tests/fixtures/release/packing-manifest.json';

export interface PackingReport {
  entries: PackedEntry[];
  summary: FileListSummary;
  problems: string[];
}

const afterPack = 'scripts/electron-fuses.cjs';

/** Stubs, in the throwaway copy only, for files other branches provide (the fuses hook). */
function stubsFor(repoDir: string): Record<string, string> {
  return fs.existsSync(path.join(repoDir, afterPack))
    ? {}
    : { [afterPack]: 'exports.default = async () => {};\n' };
}

export async function runPackingCheck(
  repoDir: string,
  manifest = JSON.parse(fs.readFileSync(path.join(repoDir, manifestPath), 'utf8')) as PackingManifest,
): Promise<PackingReport> {
  const captured = await captureFileList({ repoDir, afterPack, stubFiles: stubsFor(repoDir) });
  try {
    const target = { platform: process.platform, arch: process.arch };
    return {
      entries: captured.entries,
      summary: summarizeFileList(captured.entries),
      problems: checkFileList(captured.entries, manifest, target),
    };
  } finally {
    captured.cleanup();
  }
}

/** The manifest's package list as it would be for this file list (platform parts made generic). */
export function packagesForManifest(summary: FileListSummary): string[] {
  const platformPart = `${process.platform}-${process.arch}`;
  return summary.packages.map((name) => name.replace(platformPart, '{platform}-{arch}')).sort();
}
