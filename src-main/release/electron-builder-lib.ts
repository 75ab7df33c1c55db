// Loads electron-builder's own modules (CommonJS, dev dependency) for the offline release checks:
// its config loader, its schema validator and its packager. Resolved through electron-builder so we
// use exactly the app-builder-lib it would use. Never imported by the app itself.
import { createRequire } from 'node:module';
import path from 'node:path';

export interface BuilderConfigModule {
  getConfig(
    projectDir: string,
    configPath: string | null,
    configFromOptions: Record<string, unknown> | null,
  ): Promise<Record<string, unknown>>;
  validateConfiguration(
    config: Record<string, unknown>,
    debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void },
  ): Promise<void>;
}

export interface AsarStream {
  path: string;
  unpacked: boolean;
  type: 'file' | 'directory' | 'link';
  stat?: { size?: number };
}

export interface AsarPackagerModule {
  AsarPackager: { prototype: { executeElectronAsar: (streams: AsarStream[]) => Promise<void> } };
}

export interface ElectronBuilderModule {
  build(options: Record<string, unknown>): Promise<string[]>;
  Platform: { LINUX: { createTarget(type: string): unknown } };
}

// Resolved from this repository (not from the project being checked, which may be a temp copy).
function builderRequire(): NodeJS.Require {
  return createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));
}

export function loadBuilderModules(): {
  config: BuilderConfigModule;
  asar: AsarPackagerModule;
  builder: ElectronBuilderModule;
} {
  const req = builderRequire();
  const libRoot = path.dirname(req.resolve('app-builder-lib/package.json'));
  return {
    config: req(path.join(libRoot, 'out/util/config/config.js')) as BuilderConfigModule,
    asar: req(path.join(libRoot, 'out/asar/asarUtil.js')) as AsarPackagerModule,
    builder: req('electron-builder') as ElectronBuilderModule,
  };
}
