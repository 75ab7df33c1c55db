// Released migrations are frozen: each one carries its own SQL, so changing one file can never change
// what another migration does on a server that has not run it yet. A migration (migrations/**/
// NNNN_*.ts) therefore imports no other file of the project (only packages such as kysely), reads
// no file at run time (migrations are bundled through the static maps in migrations/*/index.ts) and
// builds no SQL by string replacement of some other text.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../../migrations');
const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.ts$/;
const FILE_READING = new Set(['fs', 'fs/promises', 'node:fs', 'node:fs/promises']);

function moduleNames(source: ts.SourceFile): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) names.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const ref = node.moduleReference.expression;
      if (ts.isStringLiteral(ref)) names.push(ref.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      const [arg] = node.arguments;
      names.push(arg && ts.isStringLiteralLike(arg) ? arg.text : '<computed module name>');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

function replaceCalls(source: ts.SourceFile): number[] {
  const lines: number[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ['replace', 'replaceAll'].includes(node.expression.name.text)
    ) {
      lines.push(source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

/** What is wrong with one migration's source, one readable line per problem. */
function migrationProblems(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  for (const name of moduleNames(source)) {
    if (name.startsWith('.') || name.startsWith('/') || name === '<computed module name>') {
      problems.push(`${file} imports '${name}': write the SQL out in this migration instead`);
    } else if (FILE_READING.has(name)) {
      problems.push(`${file} imports '${name}': a migration carries its SQL, it reads no file`);
    }
  }
  for (const line of replaceCalls(source)) {
    problems.push(`${file}:${line} calls .replace(): write the new SQL out literally`);
  }
  return problems;
}

function migrationFiles(): string[] {
  return (fs.readdirSync(MIGRATIONS, { recursive: true }) as string[])
    .filter((entry) => MIGRATION_FILE.test(path.basename(entry)))
    .map((entry) => path.join('migrations', entry))
    .sort();
}

describe('frozen migrations', () => {
  it('no migration imports another file, reads a file or rewrites text by replacement', () => {
    const files = migrationFiles();
    // Both owners' migrations are scanned (guards against a path that matches nothing).
    expect(files.filter((f) => f.startsWith(path.join('migrations', 'central')))).not.toHaveLength(0);
    expect(files.filter((f) => f.startsWith(path.join('migrations', 'local')))).not.toHaveLength(0);
    const problems = files.flatMap((file) =>
      migrationProblems(file, fs.readFileSync(path.join(MIGRATIONS, '..', file), 'utf8')),
    );
    expect(problems).toEqual([]);
  });

  it('reports an import of another migration, a file read and a string replacement', () => {
    const file = 'migrations/central/0400_example.ts';
    const text = [
      "import { sql, type Kysely } from 'kysely';",
      "import { readFileSync } from 'node:fs';",
      "import { FUNCTIONS } from './0005_device_ingest_functions';",
      "export { down } from '../local/0001_device_and_exam_cache';",
      'export async function up(db: Kysely<unknown>) {',
      "  const old = await import('./0006_set_based_ingest');",
      "  await sql.raw(FUNCTIONS[0].replace('CREATE', 'CREATE OR REPLACE')).execute(db);",
      '  return [old, readFileSync];',
      '}',
    ].join('\n');
    expect(migrationProblems(file, text)).toEqual([
      `${file} imports 'node:fs': a migration carries its SQL, it reads no file`,
      `${file} imports './0005_device_ingest_functions': write the SQL out in this migration instead`,
      `${file} imports '../local/0001_device_and_exam_cache': write the SQL out in this migration instead`,
      `${file} imports './0006_set_based_ingest': write the SQL out in this migration instead`,
      `${file}:7 calls .replace(): write the new SQL out literally`,
    ]);
    // SQL's own replace() inside the text is not a string replacement of the migration's code.
    expect(migrationProblems(file, "export const t = `SELECT replace(a, '-', '')`;")).toEqual([]);
  });
});
