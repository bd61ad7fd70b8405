import { defineConfig } from "vite";
import { viteSingleFile } from "vite-plugin-singlefile";

// One self-contained management.html: every script and style inlined, nothing fetched from elsewhere.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  plugins: [viteSingleFile({ removeViteModuleLoader: true })],
  build: {
    target: "es2020",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: { input: "management.html" },
  },
  server: {
    // `npm run dev` talks to a local cpamd (CPAMD_URL, default the demo port).
    proxy: { "/v0": process.env.CPAMD_URL ?? "http://127.0.0.1:18317" },
  },
});
