import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// TEMPORARY (coordinator: delete at merge): until clients/typescript is on main, "@frontdesk/sdk"
// resolves to a small adapter with the part of the SDK's API the console uses. At merge, remove
// this alias, the "paths" entry in tsconfig.json and src/sdk-adapter.ts, and add
// "@frontdesk/sdk": "file:../typescript" to package.json's dependencies.
const sdk = fileURLToPath(new URL("./src/sdk-adapter.ts", import.meta.url));

export default defineConfig({
  resolve: { alias: { "@frontdesk/sdk": sdk } },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { target: "es2022", sourcemap: true },
});
