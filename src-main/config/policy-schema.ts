// The IT policy's JSON Schema, generated from the zod config schema leaf by leaf so editors and MDM
// tools validate a policy exactly as Vigil does. `node scripts/generate-policy-schema.mjs` writes it
// to resources/policy.schema.json; a test fails when that file is out of date.
import { z } from 'zod';
import { configLeaves, secretKeys } from './schema';

export const POLICY_SCHEMA_ID = 'https://vigil.invalid/schemas/policy.schema.json';

type JsonObject = Record<string, unknown>;

export function policyJsonSchema(): JsonObject {
  const sections: Record<string, { type: 'object'; additionalProperties: false; properties: JsonObject }> =
    {};
  for (const leaf of configLeaves) {
    const [section, name] = leaf.key.split('.') as [string, string];
    const generated = z.toJSONSchema(leaf.schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
    delete generated.$schema;
    const notes = [`Environment variable: ${leaf.envVar}.`];
    if (secretKeys.has(leaf.key)) notes.push('Secret: never logged or shown.');
    sections[section] ??= { type: 'object', additionalProperties: false, properties: {} };
    sections[section].properties[name] = { ...generated, description: notes.join(' ') };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: POLICY_SCHEMA_ID,
    title: 'Vigil IT policy',
    description:
      'Machine-wide settings for Vigil. Every key set here is locked: users and environment variables cannot change it. Sign the file with `vigil policy sign` when the app requires signed policies; a signed policy carries `serial` and `expiresAt`.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      // The stamp of a signed policy (config/policy-signature.ts): required once it is signed.
      serial: {
        type: 'integer',
        minimum: 1,
        description:
          'Version of this policy, raised on every change. Required in a signed policy: the app refuses one older than the newest it applied.',
      },
      expiresAt: {
        type: 'string',
        format: 'date-time',
        description:
          'Until when this policy holds (ISO date-time). Required in a signed policy: an expired one is refused.',
      },
      ...sections,
    },
  };
}
