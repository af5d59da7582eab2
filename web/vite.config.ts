import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/** Where `npm run dev` sends API and collaboration traffic: the hub started with `npm start`. */
const HUB_URL = 'http://127.0.0.1:8080';
/** The app's dark background and header colour (styles.css `--bg`), for the manifest and the browser chrome. */
const THEME_COLOR = '#0f1216';

/** Paths the service worker never answers: APIs, sockets and server endpoints always go to the network. */
const NETWORK_ONLY = [/^\/api(\/|$)/, /^\/collab(\/|$)/, /^\/pty(\/|$)/, /^\/media(\/|$)/, /^\/metrics(\/|$)/, /^\/healthz$/, /^\/readyz$/];

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // The page registers the worker itself (src/pwa/UpdatePrompt.tsx) and asks before updating.
      registerType: 'prompt',
      injectRegister: false,
      filename: 'sw.js',
      includeAssets: ['favicon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        id: '/',
        name: 'CodeRoom',
        short_name: 'CodeRoom',
        description: 'Real-time code collaboration you host yourself: co-editing, shared terminals and calls.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: THEME_COLOR,
        background_color: THEME_COLOR,
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // The app shell and every built asset (lazy chunks too, so a room opens offline from cache).
        globPatterns: ['**/*.{js,css,html,svg,png,woff2,webmanifest}'],
        globIgnores: ['**/*.map'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: NETWORK_ONLY,
        // No runtime caching: anything not precached (API answers, sockets, metrics) is never stored.
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
      },
      devOptions: { enabled: false },
    }),
  ],
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
