// resources/policy.schema.json must be what the zod schema generates today, and it must describe the
// same policies loadConfig accepts.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema } from '../../../src-main/config/policy-schema';
import { configLeaves } from '../../../src-main/config/schema';

const shipped = JSON.parse(fs.readFileSync('resources/policy.schema.json', 'utf8')) as Record<
  string,
  unknown
>;

describe('policy JSON Schema', () => {
  it('is up to date (run `node scripts/generate-policy-schema.mjs` after changing the zod schema)', () => {
    expect(shipped).toEqual(policyJsonSchema());
  });

  it('has one property per config key and rejects unknown keys', () => {
    const properties = shipped.properties as Record<
      string,
      { properties: Record<string, unknown>; additionalProperties: boolean }
    >;
    const keys = Object.entries(properties).flatMap(([section, value]) =>
      ['$schema', 'serial', 'expiresAt'].includes(section)
        ? []
        : Object.keys(value.properties).map((name) => `${section}.${name}`),
    );
    expect(keys.sort()).toEqual(configLeaves.map((leaf) => leaf.key).sort());
    expect(shipped.additionalProperties).toBe(false);
    expect(properties.log?.additionalProperties).toBe(false);
  });

  it('carries the zod constraints', () => {
    const log = (
      shipped.properties as Record<string, { properties: Record<string, Record<string, unknown>> }>
    ).log;
    expect(log?.properties.level?.enum).toEqual(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
    expect(log?.properties.maxFileMb).toMatchObject({ type: 'integer', minimum: 1, maximum: 1024 });
  });
});
