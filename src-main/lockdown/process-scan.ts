// Matches the running processes against the blocklist by executable name and by path, so that a
// renamed copy is still caught when its folder or app bundle gives it away. Works on the plain
// process descriptors ps-list returns, which makes it testable with recorded lists.
import { allowedAppNames, normalizeAppName } from './assistive-apps';
import { verdict } from './check-result';
import { round3 } from './evidence-math';
import { processBlocklist, type BlocklistEntry, type ProcessCategory } from './process-blocklist';
import type { CheckResult, Evidence } from './types';

/** The fields of ps-list's ProcessDescriptor this scan uses (path and cmd are absent on Windows). */
export interface ProcessInfo {
  pid: number;
  name: string;
  ppid?: number;
  path?: string;
  cmd?: string;
}

export interface ProcessFinding {
  pid: number;
  name: string;
  path?: string;
  entryId: string;
  product: string;
  category: ProcessCategory;
  matchedBy: ('name' | 'path')[];
  /** True when the path identifies the product but the executable's name does not. */
  renamed: boolean;
  confidence: number;
}

const NAME_WEIGHT = 0.9;
const PATH_WEIGHT = 0.85;

export const normalizeName = normalizeAppName;

function pathSegments(path: string): string[] {
  return path
    .toLowerCase()
    .split(/[\\/]+/)
    .filter((segment) => segment.length > 0);
}

export function matchProcess(
  proc: ProcessInfo,
  blocklist: readonly BlocklistEntry[] = processBlocklist,
): ProcessFinding[] {
  const name = normalizeName(proc.name);
  const exeName = proc.path ? normalizeName(proc.path) : undefined;
  // The last segment is the executable itself: it is matched as a name, not as a folder.
  const folders = proc.path ? pathSegments(proc.path).slice(0, -1) : [];
  const findings: ProcessFinding[] = [];
  for (const entry of blocklist) {
    const matchedBy: ('name' | 'path')[] = [];
    if (entry.names.includes(name) || (exeName !== undefined && entry.names.includes(exeName)))
      matchedBy.push('name');
    if (folders.some((segment) => entry.pathSegments.includes(segment))) matchedBy.push('path');
    if (matchedBy.length === 0) continue;
    const miss =
      (matchedBy.includes('name') ? 1 - NAME_WEIGHT : 1) * (matchedBy.includes('path') ? 1 - PATH_WEIGHT : 1);
    findings.push({
      pid: proc.pid,
      name: proc.name,
      ...(proc.path ? { path: proc.path } : {}),
      entryId: entry.id,
      product: entry.product,
      category: entry.category,
      matchedBy,
      renamed: !matchedBy.includes('name'),
      confidence: round3(1 - miss),
    });
  }
  return findings;
}

export interface ProcessScanOptions {
  /** Categories the exam's policy blocks; all by default. */
  categories?: readonly ProcessCategory[];
  blocklist?: readonly BlocklistEntry[];
  /** Our own process ids (Vigil and its helpers) are never reported. */
  ownPids?: readonly number[];
  /**
   * Names the exam allows beyond the default assistive apps (policy `allowedApps`, with the
   * accommodation's); see assistive-apps.ts. Allowed programs are never reported.
   */
  allowedApps?: readonly string[];
  now?: Date;
}

/** A finding the allow-list exempted: kept in the result's details as evidence, never a violation. */
export interface AllowedFinding {
  pid: number;
  name: string;
  product: string;
  category: ProcessCategory;
}

/**
 * Whether the allow-list exempts this finding. The process must carry an allowed name, and its path
 * must not give away a different blocked product: AnyDesk copied into its own folder as `nvda.exe`
 * is still AnyDesk (the path matched an entry whose names do not include the allowed one).
 */
function isAllowed(
  proc: ProcessInfo,
  finding: ProcessFinding,
  allowed: Set<string>,
  blocklist: readonly BlocklistEntry[],
): boolean {
  const names = [normalizeName(proc.name), ...(proc.path ? [normalizeName(proc.path)] : [])];
  const allowedName = names.find((n) => allowed.has(n));
  if (allowedName === undefined) return false;
  if (!finding.matchedBy.includes('path')) return true;
  return blocklist.find((e) => e.id === finding.entryId)?.names.includes(allowedName) ?? false;
}

export function scanProcesses(
  processes: readonly ProcessInfo[],
  options: ProcessScanOptions = {},
): CheckResult {
  const categories = new Set(options.categories ?? processBlocklist.map((e) => e.category));
  const own = new Set(options.ownPids ?? []);
  const blocklist = options.blocklist ?? processBlocklist;
  const allowed = allowedAppNames(options.allowedApps);
  const exempted: AllowedFinding[] = [];
  const findings = processes
    .filter((proc) => !own.has(proc.pid))
    .flatMap((proc) =>
      matchProcess(proc, blocklist).filter((finding) => {
        if (!categories.has(finding.category)) return false;
        if (!isAllowed(proc, finding, allowed, blocklist)) return true;
        exempted.push({
          pid: proc.pid,
          name: proc.name,
          product: finding.product,
          category: finding.category,
        });
        return false;
      }),
    );
  const evidence: Evidence[] = findings.flatMap((finding) =>
    finding.matchedBy.map((by) => ({
      source: by === 'name' ? `process[${finding.pid}].name` : `process[${finding.pid}].path`,
      value: by === 'name' ? finding.name : (finding.path ?? ''),
      matched: `${finding.product} (${finding.category})`,
      weight: by === 'name' ? NAME_WEIGHT : PATH_WEIGHT,
    })),
  );
  const products = [...new Set(findings.map((f) => f.product))];
  const confidence = findings.length ? Math.max(...findings.map((f) => f.confidence)) : 0;
  return verdict(
    'process_scan',
    findings.length > 0,
    confidence,
    evidence,
    findings.length
      ? `Blocked programs running: ${products.join(', ')}`
      : `No blocked program among ${processes.length} processes`,
    {
      findings,
      processCount: processes.length,
      categories: [...categories],
      // Only what a blocked category matched and the allow-list let run: which assistive apps a
      // candidate uses otherwise stays out of the evidence.
      ...(exempted.length ? { allowed: exempted } : {}),
    },
    options.now,
  );
}
