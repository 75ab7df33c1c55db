// Validates electron-builder.yml offline, exactly as electron-builder does before a build: its own
// loader (with `extends` and the package.json metadata) and its own JSON Schema (app-builder-lib's
// scheme.json through ajv). CI runs this because no installer can be built on the CI machines.
import { loadBuilderModules } from './electron-builder-lib';

export interface BuilderConfigResult {
  config: Record<string, unknown>;
}

/** Loads and validates the config; throws electron-builder's own error when it is invalid. */
export async function validateBuilderConfig(
  projectDir: string,
  configFile = 'electron-builder.yml',
  overrides: Record<string, unknown> | null = null,
): Promise<BuilderConfigResult> {
  const { config: lib } = loadBuilderModules();
  const config = await lib.getConfig(projectDir, configFile, overrides);
  await lib.validateConfiguration(config, { isEnabled: false, add: () => undefined });
  return { config };
}
