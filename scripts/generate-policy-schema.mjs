// Writes resources/policy.schema.json from the zod config schema (src-main/config/policy-schema.ts).
// Run after changing src-main/config/schema.ts: `node scripts/generate-policy-schema.mjs`.
// tests/unit/config/policy-schema.test.ts fails while the committed file is out of date.
import { writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { register } from 'tsx/esm/api';

register();
const { policyJsonSchema } = await import('../src-main/config/policy-schema.ts');
const file = new URL('../resources/policy.schema.json', import.meta.url);
const options = (await resolveConfig(file)) ?? {};
await writeFile(file, await format(JSON.stringify(policyJsonSchema()), { ...options, parser: 'json' }));
console.log('wrote resources/policy.schema.json');
