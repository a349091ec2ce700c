import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// One entry per page; Django templates load them through the manifest (web/templatetags/vite.py).
export default defineConfig({
  plugins: [svelte()],
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
        report: "src/pages/report.ts",
      },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
