/**
 * `npm run bench`: builds, runs every suite in its own process, one after
 * another (the machine has two cores; suites must not share them), prints
 * each suite's table and writes them all to BENCHMARKS.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib/processes';

const wanted = process.argv.slice(2);
const suites = fs
  .readdirSync(path.join(ROOT, 'bench/suites'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });

const sections: string[] = [];
let failed = false;
for (const name of suites) {
  process.stderr.write(`\n=== bench ${name}\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench/suites', `${name}.ts`)], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(run.stdout);
  if (run.status !== 0) {
    failed = true;
    sections.push(`## ${name}\n\nThe suite failed (exit ${String(run.status)}).\n`);
  } else {
    sections.push(run.stdout.trim() + '\n');
  }
}

if (wanted.length === 0) {
  const header =
    `# Benchmarks\n\nMeasured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}. Every figure is compared with a baseline measured in the same run; ` +
    `absolute numbers move with the machine, the ratios much less. Targets the issues set are marked PASS or FAIL.\n\n`;
  fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), header + sections.join('\n'));
}
process.exitCode = failed ? 1 : 0;
