import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where `npm run dev` sends API and collaboration traffic: the hub started with `npm start`. */
const HUB_URL = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: HUB_URL, changeOrigin: true },
      '/collab': { target: HUB_URL, ws: true, changeOrigin: true },
      '/pty': { target: HUB_URL, ws: true, changeOrigin: true },
      '/media': { target: HUB_URL, ws: true, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: true,
  },
});
