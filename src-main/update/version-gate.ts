// The minimum-version gate: the central server stores, per exam, the lowest app version allowed to
// run it (a release may fix a proctoring rule or a lockdown hole). A client below it is refused the
// exam with a message that says how to update. Pure Node: no electron, no network.
import type { UpdateStatus } from '../../src-preload/contract';
import { VigilError } from '../errors';

export interface ExamVersionRequirement {
  examId: string;
  examTitle: string;
  /** Lowest allowed app version (semver, e.g. "1.4.0"); null or absent means any version. */
  minAppVersion?: string | null;
}

export interface UpdateHint {
  /** False when IT pinned the version (update.enabled = false in the policy). */
  autoUpdateEnabled: boolean;
  /** A newer version already downloaded and waiting for a restart, if any. */
  downloadedVersion?: string;
  /** A newer version being downloaded now. */
  downloading?: { version: string };
}

/** The hint as the update state machine stands now (update-controller.ts). */
export function updateHintOf(status: UpdateStatus, autoUpdateEnabled: boolean): UpdateHint {
  return {
    autoUpdateEnabled: autoUpdateEnabled && status.state !== 'disabled',
    ...(status.state === 'ready' && status.version ? { downloadedVersion: status.version } : {}),
    ...(status.state === 'downloading' && status.version ? { downloading: { version: status.version } } : {}),
  };
}

export type VersionVerdict =
  { allowed: true } | { allowed: false; required: string; current: string; message: string };

interface Parsed {
  core: [number, number, number];
  pre: string[];
}

function parse(version: string): Parsed | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (!match) return undefined;
  return {
    core: [Number(match[1]), Number(match[2]), Number(match[3])],
    pre: match[4] ? match[4].split('.') : [],
  };
}

/** Semver precedence: negative when a < b. Throws on something that is not a version. */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) throw new Error(`not a semantic version: ${pa ? b : a}`);
  for (let i = 0; i < 3; i++)
    if (pa.core[i] !== pb.core[i]) return (pa.core[i] as number) - (pb.core[i] as number);
  // A pre-release sorts before its release (1.0.0-beta < 1.0.0).
  if (pa.pre.length === 0 || pb.pre.length === 0) return pb.pre.length - pa.pre.length;
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i];
    const y = pb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function howToUpdate(required: string, hint: UpdateHint): string {
  if (hint.downloadedVersion && compareVersions(hint.downloadedVersion, required) >= 0)
    return `Version ${hint.downloadedVersion} is already downloaded: restart Vigil to install it, then start the exam again.`;
  if (hint.downloading && compareVersions(hint.downloading.version, required) >= 0)
    // No percent here: the exam list reads this on state changes only; its progress bar is live.
    return `Vigil is downloading version ${hint.downloading.version}: keep it open and connected, then restart it when it offers to.`;
  if (hint.autoUpdateEnabled)
    return 'Vigil is downloading updates: keep it open and connected for a few minutes and restart it, or ask your IT team for the current installer.';
  return `Updates on this computer are managed by your IT team: ask them to install Vigil ${required} or later.`;
}

export function checkExamVersion(
  requirement: ExamVersionRequirement,
  currentVersion: string,
  hint: UpdateHint,
): VersionVerdict {
  const required = requirement.minAppVersion?.trim();
  if (!required) return { allowed: true };
  if (compareVersions(currentVersion, required) >= 0) return { allowed: true };
  return {
    allowed: false,
    required,
    current: currentVersion,
    message: `"${requirement.examTitle}" needs Vigil ${required} or later; this computer has ${currentVersion}. ${howToUpdate(required, hint)}`,
  };
}

/** Why the exam list cannot start this exam, or null when this version may run it. */
export function examVersionBlock(
  requirement: ExamVersionRequirement,
  currentVersion: string,
  hint: UpdateHint,
): { required: string; current: string; message: string } | null {
  let verdict: VersionVerdict;
  try {
    verdict = checkExamVersion(requirement, currentVersion, hint);
  } catch {
    // A minimum that is not a version blocks nothing here; the server's own check still applies.
    return null;
  }
  return verdict.allowed
    ? null
    : { required: verdict.required, current: verdict.current, message: verdict.message };
}

/** Throws UPDATE_REQUIRED when this app is too old for the exam; call before starting it. */
export function assertExamVersion(
  requirement: ExamVersionRequirement,
  currentVersion: string,
  hint: UpdateHint,
): void {
  const verdict = checkExamVersion(requirement, currentVersion, hint);
  if (!verdict.allowed)
    throw new VigilError('UPDATE_REQUIRED', verdict.message, {
      examId: requirement.examId,
      requiredVersion: verdict.required,
      currentVersion: verdict.current,
    });
}
