import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is served by the app:// protocol (Electron) and by the headless host from the same
// build; both apply a CSP without inline scripts, which Vite's output respects.
export const rendererConfig = defineConfig({
  root: 'src-renderer',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome120',
  },
});

export default rendererConfig;
