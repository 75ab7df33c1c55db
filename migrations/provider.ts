// Migrations are bundled through a static import map rather than read from disk, so the packaged
// app (asar) and the tests run exactly the same set. Adding a migration is one import + one entry.
import type { Migration, MigrationProvider } from 'kysely';

export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/** Names must be `NNNN_name`; the number orders them and must fall in the owner's range. */
export function checkMigrationNames(migrations: Record<string, Migration>): string[] {
  const problems: string[] = [];
  const numbers = new Set<string>();
  for (const name of Object.keys(migrations)) {
    const match = /^(\d{4})_[a-z0-9_]+$/.exec(name);
    if (!match) problems.push(`${name}: expected NNNN_lower_snake_name`);
    else if (numbers.has(match[1] as string)) problems.push(`${name}: number ${match[1]} used twice`);
    else numbers.add(match[1] as string);
  }
  return problems;
}
