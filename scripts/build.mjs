// Builds the server (and the browser client, when present) into dist/.
// The server is bundled with its dependencies left as packages, so a build is
// plain Node with no TypeScript at run time; workers sit next to the bundle,
// where the server looks for them.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);

const serverEntries = {
  main: 'server/main.ts',
  'count-worker': 'server/counting/count-worker.ts',
};
const present = Object.fromEntries(Object.entries(serverEntries).filter(([, file]) => fs.existsSync(at(file))));

await build({
  entryPoints: Object.fromEntries(Object.entries(present).map(([name, file]) => [name, at(file)])),
  outdir: at('dist/server'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

if (fs.existsSync(at('client/main.ts'))) {
  fs.rmSync(at('dist/client'), { recursive: true, force: true });
  await build({
    entryPoints: { app: at('client/main.ts') },
    outdir: at('dist/client/assets'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  fs.cpSync(at('client/public'), at('dist/client'), { recursive: true });
}

console.log('built dist/');
