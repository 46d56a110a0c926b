import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web UI: `vite build web` writes it to dist/web, which `roster serve` serves. `vite web` is a dev server
 * with hot reload that passes /api to a `roster serve` on port 3000.
 */
export default defineConfig({
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
