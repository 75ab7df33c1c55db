// Compares electron-builder's file list with the expected packing manifest: which app files may be
// packed, which production packages (and only those) go in, what must be unpacked for native code,
// child processes and wasm/model loaders, and what must never ship.
import { globToRegExp, matchesAny } from './glob';
import type { PackedEntry } from './pack-file-list';

export interface PackingManifest {
  /** Every file outside node_modules must match one of these. */
  appFiles: string[];
  /** Top-level packages in node_modules, exactly. `{platform}`/`{arch}` are substituted. */
  packages: string[];
  /** Each glob must match at least one file, and every match must be unpacked. */
  unpacked: string[];
  /** No file may match these. */
  forbidden: string[];
}

export interface FileListSummary {
  files: number;
  packedFiles: number;
  unpackedFiles: number;
  packedBytes: number;
  unpackedBytes: number;
  packages: string[];
}

function substitute(text: string, target: { platform: string; arch: string }): string {
  return text.replaceAll('{platform}', target.platform).replaceAll('{arch}', target.arch);
}

function packageOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'node_modules' || parts.length < 3) return undefined;
  return parts[1]?.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1];
}

export function summarizeFileList(entries: readonly PackedEntry[]): FileListSummary {
  const packed = entries.filter((e) => !e.unpacked);
  const unpacked = entries.filter((e) => e.unpacked);
  const sum = (list: PackedEntry[]) => list.reduce((total, e) => total + e.size, 0);
  const packages = new Set<string>();
  for (const e of entries) {
    const name = packageOf(e.path);
    if (name) packages.add(name);
  }
  return {
    files: entries.length,
    packedFiles: packed.length,
    unpackedFiles: unpacked.length,
    packedBytes: sum(packed),
    unpackedBytes: sum(unpacked),
    packages: [...packages].sort(),
  };
}

/** Returns one line per difference; empty when the file list matches the manifest. */
export function checkFileList(
  entries: readonly PackedEntry[],
  manifest: PackingManifest,
  target: { platform: string; arch: string },
): string[] {
  const problems: string[] = [];
  const appFiles = manifest.appFiles.map((g) => substitute(g, target));
  for (const e of entries) {
    if (!e.path.startsWith('node_modules/') && !matchesAny(e.path, appFiles))
      problems.push(`unexpected app file packed: ${e.path}`);
  }
  const expected = new Set(manifest.packages.map((p) => substitute(p, target)));
  const actual = new Set(summarizeFileList(entries).packages);
  for (const name of actual) if (!expected.has(name)) problems.push(`unexpected package packed: ${name}`);
  for (const name of expected) if (!actual.has(name)) problems.push(`expected package missing: ${name}`);
  for (const glob of manifest.unpacked) {
    const re = globToRegExp(substitute(glob, target));
    const hits = entries.filter((e) => re.test(e.path));
    if (hits.length === 0) problems.push(`nothing matches required unpacked file ${glob}`);
    for (const hit of hits)
      if (!hit.unpacked) problems.push(`must be unpacked but is inside the asar: ${hit.path}`);
  }
  const forbidden = manifest.forbidden.map((g) => globToRegExp(substitute(g, target)));
  for (const e of entries) {
    if (forbidden.some((re) => re.test(e.path))) problems.push(`forbidden file packed: ${e.path}`);
  }
  return problems;
}
