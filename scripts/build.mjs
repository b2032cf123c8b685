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

/**
 * The browser client: client/main.ts bundled to assets/app.js (translations
 * included), and client/public/ (index.html, CSS, icon) copied beside it.
 * `node scripts/build.mjs --client-out <dir>` builds only the client, into
 * <dir>: the browser tests use it so they never rewrite dist/ under other
 * tests' feet.
 */
/**
 * zod exposes every locale through its `z` namespace, which defeats tree
 * shaking: the browser would download some 250 kB of messages in languages
 * the client never shows (its own words come from client/i18n). Only the
 * English locale, which zod installs as its default, is kept.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)) return undefined;
      return { path: path.join(path.dirname(args.importer), args.path), namespace: 'zod-locales' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

async function buildClient(outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: { app: at('client/main.ts') },
    outdir: path.join(outDir, 'assets'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    plugins: [zodEnglishOnly],
    logLevel: 'warning',
  });
  fs.cpSync(at('client/public'), outDir, { recursive: true });
}

const clientOutArg = process.argv.indexOf('--client-out');
if (clientOutArg > 0) {
  const outDir = process.argv[clientOutArg + 1];
  if (outDir === undefined) throw new Error('--client-out needs a folder');
  await buildClient(path.resolve(outDir));
  console.log(`built the client into ${outDir}`);
  process.exit(0);
}

const serverEntries = {
  main: 'server/main.ts',
  'count-worker': 'server/counting/count-worker.ts',
  'crypto-worker': 'node/crypto/crypto-worker.ts',
  'board-worker': 'server/store/sqlite/board-worker.ts',
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

if (fs.existsSync(at('client/main.ts'))) await buildClient(at('dist/client'));

console.log('built dist/');
