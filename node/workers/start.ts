import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The URL of a worker module that sits next to `base` (the caller's
 * `import.meta.url`): the .ts source under tsx or vitest, the .js file next to
 * the bundle once built (scripts/build.mjs puts every worker there).
 */
export function workerModule(base: string, name: string): URL {
  return new URL(base.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`, base);
}

/**
 * Starts a worker thread on a module from `workerModule`. From source, Node 20
 * ignores `--import tsx` in a worker's execArgv (the .ts entry fails with
 * "Unknown file extension"), so a two-line bootstrap registers tsx inside the
 * worker and then imports the module. tsx is resolved here, from this file,
 * because an evaluated worker would resolve it from the working directory.
 */
export function startWorker(module: URL, options: WorkerOptions = {}): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { execArgv: [], ...options });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(bootstrap, { execArgv: [], ...options, eval: true });
}
