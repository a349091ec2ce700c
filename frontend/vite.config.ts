import { svelte } from "@sveltejs/vite-plugin-svelte";
import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";

// One entry per page; Django templates load them through the manifest (web/templatetags/vite.py).
export default defineConfig({
  plugins: [
    svelte(),
    // The attend page's service worker, built from src/sw.ts into dist/sw.js; Django serves it at
    // /sw.js (scope /e/) and the web app manifest per event (web/views.py), so neither is made here.
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      injectRegister: false,
      manifest: false,
      // The assets are kept as the page loads them (Django's static names differ from Vite's).
      injectManifest: { injectionPoint: undefined },
    }),
  ],
  base: "/static/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    rollupOptions: {
      input: {
        attend: "src/pages/attend.ts",
        moderate: "src/pages/moderate.ts",
        stage: "src/pages/stage.ts",
        screen: "src/pages/screen.ts",
        overlay: "src/pages/overlay.ts",
        report: "src/pages/report.ts",
      },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
