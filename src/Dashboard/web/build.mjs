// Bundles the dashboard into ../wwwroot: one script, one stylesheet, the page. Run by the Dashboard project's build
// (only when a source changed) or by hand with `npm run build`.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, rm } from "node:fs/promises";

// esbuild strips types without checking them; the type checker (TypeScript 7, native) takes about a second.
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."], { stdio: "inherit" });

const out = new URL("../wwwroot/", import.meta.url);
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: "src/main.ts" },
  bundle: true,
  minify: true,
  // No source maps: they would triple what the silo embeds; the sources are in the repository.
  sourcemap: false,
  format: "esm",
  target: ["es2022"],
  outdir: out.pathname,
  // Leaflet's stylesheet points at marker images the dashboard does not use (it draws its own markers).
  loader: { ".png": "empty", ".svg": "empty" },
  logLevel: "warning",
});
await copyFile(new URL("index.html", import.meta.url), new URL("index.html", out));
