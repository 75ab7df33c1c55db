// Loads the recorded lockdown inputs under tests/fixtures/lockdown (see the README there).
import fs from 'node:fs';
import path from 'node:path';

export const LOCKDOWN_FIXTURES = path.resolve('tests/fixtures/lockdown');

export function lockdownFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(LOCKDOWN_FIXTURES, name), 'utf8')) as T;
}

export function lockdownFixtureNames(prefix: string): string[] {
  return fs
    .readdirSync(LOCKDOWN_FIXTURES)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.json'))
    .sort();
}
