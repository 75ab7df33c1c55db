// Which compiled better-sqlite3 addon the local store loads. Unset, better-sqlite3 finds its own
// build in node_modules (Node's ABI: tests, CLI, host, worker, and a packaged app, whose
// node_modules electron-builder rebuilt for Electron). The development desktop app sets it to the
// Electron build that `npm start` made beside node_modules (src-main/release/electron-native.ts).
let bindingFile: string | undefined;

/** Loads the addon from `file` for every store opened after this call. */
export function useSqliteBinding(file: string | undefined): void {
  bindingFile = file;
}

/** The addon file set by useSqliteBinding, if any. */
export function sqliteBinding(): string | undefined {
  return bindingFile;
}
