// Computes what electron-builder would put into app.asar and what it would unpack, by running its
// real packager (file patterns, production-dependency collection, asarUnpack, auto-unpack of native
// code) for a Linux `dir` target and stopping right before the archive is written. This is a
// file-list check, not an installer build: no Electron binary is needed (a stub stands in for it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBuilderModules, type AsarStream } from './electron-builder-lib';

export interface PackedEntry {
  path: string;
  unpacked: boolean;
  size: number;
}

class FileListCaptured extends Error {
  constructor(readonly entries: PackedEntry[]) {
    super('file list captured');
  }
}

/**
 * Copies what electron-builder reads (package.json, electron-builder.yml, resources/) into a
 * throwaway project with stub build output, then lists the asar contents.
 */
export async function captureFileList(options: {
  repoDir: string;
  /** Extra files to create in the throwaway project (e.g. hooks that another branch provides). */
  stubFiles?: Record<string, string>;
  /** The afterPack hook (relative path), copied from the repository unless stubbed. */
  afterPack: string;
}): Promise<{ entries: PackedEntry[]; projectDir: string; cleanup(): void }> {
  const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pack-'));
  const cleanup = () => fs.rmSync(projectDir, { recursive: true, force: true });
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(options.repoDir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    // Worktrees symlink node_modules, which `npm ls` reports as extraneous links; electron-builder's
    // own traversal collector walks the same production dependency graph without npm.
    pkg.packageManager = 'traversal@1.0.0';
    const write = (rel: string, text: string) => {
      const file = path.join(projectDir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    };
    write('package.json', JSON.stringify(pkg, null, 2));
    fs.copyFileSync(
      path.join(options.repoDir, 'electron-builder.yml'),
      path.join(projectDir, 'electron-builder.yml'),
    );
    fs.cpSync(path.join(options.repoDir, 'resources'), path.join(projectDir, 'resources'), {
      recursive: true,
    });
    fs.symlinkSync(
      fs.realpathSync(path.join(options.repoDir, 'node_modules')),
      path.join(projectDir, 'node_modules'),
    );
    for (const rel of [
      'dist/main/main.js',
      // The worker_threads build-main.mjs emits next to main.js (src-main/config/worker-threads.ts).
      'dist/main/analysis-worker.js',
      'dist/main/parser-worker.js',
      'dist/preload/candidate.cjs',
      'dist/preload/console.cjs',
      'dist/renderer/index.html',
    ])
      write(rel, '// stub build output\n');
    write('dist/main/main.js.map', '{}');
    write('dist/renderer/assets/index.js', '// stub\n');
    write('electron-stub/electron', '#!/bin/sh\n');
    const hook = path.join(options.repoDir, options.afterPack);
    if (fs.existsSync(hook)) write(options.afterPack, fs.readFileSync(hook, 'utf8'));
    for (const [rel, text] of Object.entries(options.stubFiles ?? {})) write(rel, text);

    const { asar, builder } = loadBuilderModules();
    const proto = asar.AsarPackager.prototype;
    const original = proto.executeElectronAsar;
    proto.executeElectronAsar = async (streams: AsarStream[]) => {
      throw new FileListCaptured(
        streams
          .filter((s) => s.type !== 'directory')
          .map((s) => ({
            path: s.path.split(path.sep).join('/'),
            unpacked: s.unpacked,
            size: s.stat?.size ?? 0,
          })),
      );
    };
    try {
      await builder.build({
        projectDir,
        targets: builder.Platform.LINUX.createTarget('dir'),
        config: {
          electronDist: path.join(projectDir, 'electron-stub'),
          npmRebuild: false,
          // electron-builder resolves hooks from the working directory: point it at the copy.
          afterPack: path.join(projectDir, options.afterPack),
        },
        publish: 'never',
      });
    } catch (error) {
      if (error instanceof FileListCaptured) return { entries: error.entries, projectDir, cleanup };
      throw error;
    } finally {
      proto.executeElectronAsar = original;
    }
    throw new Error('electron-builder finished without writing an asar: is `asar` disabled?');
  } catch (error) {
    cleanup();
    throw error;
  }
}
