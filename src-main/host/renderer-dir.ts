import { fileURLToPath } from 'node:url';

/** The built renderer (vite output), relative to the package root. */
export function defaultRendererDir(): string {
  return fileURLToPath(new URL('../../dist/renderer', import.meta.url));
}
