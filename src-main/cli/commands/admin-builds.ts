// `vigil admin builds add | list | remove`: the app builds the central server knows. Sessions whose
// chain reports another version or code hash are flagged for review (migration 0200). `add --dist`
// computes the hash from a build folder the way the packaged app does.
import type { Command } from 'commander';
import type { CentralStore } from '../../central/connect';
import { VigilError } from '../../errors';
import {
  addKnownBuild,
  hashBuildFolder,
  listKnownBuilds,
  removeKnownBuild,
} from '../../lockdown/known-builds';

interface Common {
  json?: boolean;
}

/** What `vigil admin` shares with its sub-commands: connection options, the admin login, output. */
export interface AdminCommandHelpers {
  common(command: Command): Command;
  withStore<O extends Common>(opts: O, run: (store: CentralStore) => Promise<void>): Promise<void>;
  print(opts: Common, value: unknown, text: string): void;
}

export function registerAdminBuildsCommand(admin: Command, h: AdminCommandHelpers): void {
  const builds = admin
    .command('builds')
    .description('The app builds the server knows; sessions from other builds are flagged for review.');

  h.common(builds.command('add').description('Register a release: its version and code hash.'))
    .requiredOption('--app-version <version>', 'the app version, e.g. 1.4.0')
    .option('--hash <sha256>', 'the build hash (as the app reports it in its app_build evidence)')
    .option('--dist <dir>', 'compute the hash from this build folder (the packaged dist/)')
    .option('--note <text>', 'a note, e.g. the release channel', '')
    .action((o: Common & { appVersion: string; hash?: string; dist?: string; note: string }) =>
      h.withStore(o, async (store) => {
        if (!o.hash === !o.dist)
          throw new VigilError(
            'BAD_REQUEST',
            'Give the build hash with --hash, or a build folder with --dist.',
          );
        const buildHash = o.hash ?? (await hashBuildFolder(o.dist!));
        const row = await addKnownBuild(store.query, { appVersion: o.appVersion, buildHash, note: o.note });
        h.print(o, row, `known build: ${row.appVersion} ${row.buildHash}`);
      }),
    );

  h.common(builds.command('list').description('List the known builds, newest first.')).action((o: Common) =>
    h.withStore(o, async (store) => {
      const rows = await listKnownBuilds(store.query);
      h.print(
        o,
        rows,
        rows.length
          ? rows.map((r) => `${r.appVersion}  ${r.buildHash}  ${r.addedAt}  ${r.note}`).join('\n')
          : 'no known builds: every session will be flagged until one is added',
      );
    }),
  );

  h.common(builds.command('remove').description('Forget a build: later sessions from it are flagged.'))
    .requiredOption('--app-version <version>')
    .requiredOption('--hash <sha256>')
    .action((o: Common & { appVersion: string; hash: string }) =>
      h.withStore(o, async (store) => {
        const removed = await removeKnownBuild(store.query, { appVersion: o.appVersion, buildHash: o.hash });
        if (!removed)
          throw new VigilError(
            'NOT_FOUND',
            `No known build ${o.appVersion} ${o.hash}: see vigil admin builds list.`,
          );
        h.print(o, { removed }, `removed ${o.appVersion} ${o.hash}`);
      }),
    );
}
