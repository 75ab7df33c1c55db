// Where the IT policy is read from, and whether anything may move it. The machine-wide file sits in
// an OS-protected folder the candidate cannot write (/etc, /Library, %ProgramData%); the environment
// is the candidate's, so `VIGIL_POLICY_FILE` — or a `ProgramData` variable pointing Windows at a
// folder of their own — would let them pick their own policy. Those overrides are honoured only in
// a development build (running from sources, where the candidate could edit the code anyway) or when
// IT says so in the protected policy itself (`security.allowPolicyOverride`, e.g. on a test lab).
import { fileURLToPath } from 'node:url';
import { platformPaths } from './paths';

export type BuildKind = 'development' | 'production';

/**
 * The kind of the running build: production when the code runs from a packaged app's archive
 * (`app.asar`), development otherwise (sources, `electron .`, the CLI from the repository). The
 * Electron shell passes its own answer (`app.isPackaged`); this is the default for everything else.
 */
export function detectBuildKind(moduleUrl: string = import.meta.url): BuildKind {
  const file = moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
  return /[\\/]app\.asar[\\/]/.test(file) ? 'production' : 'development';
}

/** The policy file in the OS-protected location, whatever the environment says. */
export function protectedPolicyFile(
  platform: NodeJS.Platform | undefined,
  env: NodeJS.ProcessEnv,
  home: string | undefined,
  root: string | undefined,
): string {
  // Windows' ProgramData is read from the environment only as an override (below); the protected
  // path is the system default. (An installation whose ProgramData is elsewhere sets the override
  // flag in C:\ProgramData\Vigil\policy.json.)
  const { ProgramData: _ignored, ...rest } = env;
  return platformPaths(platform, rest, home, root).policyFile;
}

/** The file the environment asks for instead of the protected one, if it asks for another. */
export function requestedPolicyOverride(
  protectedFile: string,
  platform: NodeJS.Platform | undefined,
  env: NodeJS.ProcessEnv,
  home: string | undefined,
  root: string | undefined,
): { file: string; source: string } | undefined {
  if (env.VIGIL_POLICY_FILE)
    return env.VIGIL_POLICY_FILE === protectedFile
      ? undefined
      : { file: env.VIGIL_POLICY_FILE, source: 'environment variable VIGIL_POLICY_FILE' };
  const fromEnv = platformPaths(platform, env, home, root).policyFile;
  return fromEnv === protectedFile
    ? undefined
    : { file: fromEnv, source: 'environment variable ProgramData' };
}
