// Where Vigil keeps things on each OS. `root` lets tests point every machine-wide path at a fake root.
import os from 'node:os';
import path from 'node:path';

export interface PlatformPaths {
  /** Machine-wide IT policy file (read-only to candidates). */
  policyFile: string;
  /** Per-user data folder: database, recordings, logs, user settings. */
  dataDir: string;
}

export function platformPaths(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
  root = '',
): PlatformPaths {
  const at = (p: string) => (root ? path.join(root, p) : p);
  switch (platform) {
    case 'win32':
      return {
        policyFile: at(path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Vigil', 'policy.json')),
        dataDir: path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Vigil'),
      };
    case 'darwin':
      return {
        policyFile: at('/Library/Application Support/Vigil/policy.json'),
        dataDir: path.join(home, 'Library', 'Application Support', 'Vigil'),
      };
    default:
      return {
        policyFile: at('/etc/vigil/policy.json'),
        dataDir: path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Vigil'),
      };
  }
}
