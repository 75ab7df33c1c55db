// The Electron smoke tests (`npm run test:electron`): they need the Electron runtime, which the
// release pipeline (.github/workflows/release.yml) installs and our build machines cannot download,
// so `npm test` does not collect them (its suites end in .test.ts); `npm test` typechecks them.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/electron/**/*.electron.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
