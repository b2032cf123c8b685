import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTally } from '../../cli/tally';
import { ELECTIONS } from './elections';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GLASGOW = path.join(ELECTIONS, 'glasgow-2007/Anderston-City-2007.blt');
const MINNEAPOLIS = path.join(ELECTIONS, 'irv/minneapolis-2017-mayor.blt');
const MEEK = path.join(ELECTIONS, 'meek/SC-Vm-12.blt');

async function tally(argv: string[], columns?: number): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runTally(argv, { out: (t) => (out += t), err: (t) => (err += t), ...(columns === undefined ? {} : { columns }) });
  return { code, out, err };
}

function json(out: string): { winners: string[]; quota?: string; ties: { chosen: string }[] } {
  return JSON.parse(out) as { winners: string[]; quota?: string; ties: { chosen: string }[] };
}

const scratch = mkdtempSync(path.join(tmpdir(), 'stemkring-tally-'));
function blt(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

describe('stemkring tally --json', () => {
  it('counts IRV and names the winner', async () => {
    const { code, out } = await tally(['--method', 'irv', MINNEAPOLIS, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out) as { winners: string[]; rounds: { votes: Record<string, number> }[] };
    expect(result.winners).toEqual(['Jacob Frey']);
    expect(result.rounds).toHaveLength(18);
    expect(result.rounds[17]?.votes['Raymond Dehn']).toBe(34970);
  });

  it('counts Scottish STV by default for --method stv', async () => {
    const { code, out } = await tally(['--method=stv', GLASGOW, '--json']);
    expect(code).toBe(0);
    expect(json(out)).toMatchObject({ quota: '1381.00000', winners: ['Craig MacKay', 'Philip Braat', 'Nina Baker', 'Gordon Matheson'] });
  });

  it('counts Meek STV, with the reference tie order under --lot reversed', async () => {
    const { code, out } = await tally(['--method', 'stv', '--variant', 'meek', '--lot', 'reversed', MEEK, '--json']);
    expect(code).toBe(0);
    expect(json(out)).toMatchObject({ winners: ['A', 'B', 'Y'], ties: [{ chosen: 'X' }] });
  });

  it('takes --seats over the file header', async () => {
    const { out } = await tally(['--method', 'stv', '--seats', '2', GLASGOW, '--json']);
    expect(json(out).winners).toHaveLength(2);
  });

  it('routes borda and schulze through the counting library', async () => {
    for (const method of ['borda', 'schulze']) {
      const { code, out } = await tally(['--method', method, '--seats', '1', GLASGOW, '--json']);
      expect(code).toBe(0);
      expect(json(out).winners).toHaveLength(1);
    }
  });

  it('draws the lot as stated: listed, reversed, or by the hash of the file', async () => {
    const text = '3 1\n1 1 0\n1 2 0\n1 3 0\n0\n"Ann"\n"Bob"\n"Cy"\n"all tied"\n';
    const file = blt('tied.blt', text);
    const winner = async (lot: string): Promise<string | undefined> => json((await tally(['--method', 'irv', '--lot', lot, file, '--json'])).out).winners[0];
    expect(await winner('listed')).toBe('Ann');
    expect(await winner('reversed')).toBe('Cy');
    const seed = createHash('sha256').update(readFileSync(file)).digest();
    const key = (name: string): string => createHash('sha256').update(seed).update(name, 'utf8').digest('hex');
    const favoured = ['Ann', 'Bob', 'Cy'].sort((a, b) => (key(a) < key(b) ? -1 : 1))[0];
    expect(await winner('hash')).toBe(favoured);
  });

  it('leaves withdrawn candidates out', async () => {
    const file = blt('withdrawn.blt', '3 1\n-1\n4 1 2 0\n3 3 0\n0\n"Ann"\n"Bob"\n"Cy"\n"w"\n');
    const { out } = await tally(['--method', 'irv', file, '--json']);
    const result = JSON.parse(out) as { winners: string[]; rounds: { votes: Record<string, number> }[] };
    expect(result.winners).toEqual(['Bob']);
    expect(Object.keys(result.rounds[0]?.votes ?? {})).toEqual(['Bob', 'Cy']);
  });
});

describe('stemkring tally tables', () => {
  it('prints every stage with names, figures aligned', async () => {
    const { code, out, err } = await tally(['--method', 'stv', GLASGOW]);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('Stage 2: Surplus of Craig MacKay (251.00000) transferred');
    expect(out).toContain('Elected: 1. Craig MacKay  2. Philip Braat  3. Nina Baker  4. Gordon Matheson');
    const rows = out.split('\n').filter((l) => /^(\s+Stage 1|Nina Baker|Craig MacKay|Non-transferable|Residue)/.test(l));
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
    expect(rows.find((r) => r.startsWith('Craig MacKay'))).toMatch(/1632\.00000\s+1381\.00000/);
  });

  it('splits wide tables into blocks that fit the width', async () => {
    const { out } = await tally(['--method', 'stv', GLASGOW], 60);
    const heads = out.split('\n').filter((l) => /^\s+Stage \d/.test(l));
    expect(heads.length).toBeGreaterThan(1);
    for (const line of out.split('\n').filter((l) => /^(\s+Stage \d|Nina Baker)/.test(l))) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('prints IRV rounds with exhausted and continuing ballots', async () => {
    const { out } = await tally(['--method', 'irv', MINNEAPOLIS], 400);
    expect(out).toContain('Round 18: Jacob Frey has a majority of the continuing ballots: elected');
    expect(out).toMatch(/^Continuing\s+104484 .* 81674$/m);
    expect(out).toMatch(/^Jacob Frey\s+26104 .* 46704$/m);
  });

  it('prints Meek stages with the quota of each stage and the ties', async () => {
    const { out } = await tally(['--method', 'stv', '--variant', 'meek', '--lot', 'reversed', MEEK]);
    expect(out).toContain('Stage 4: X defeated (surplus 0.000000250 below omega)');
    expect(out).toMatch(/^Quota\s+1000\.750000001/m);
    expect(out).toContain('Tie (stage 4, exclude) among X, Y, Z: X, by lot');
  });
});

describe('stemkring tally: bad input', () => {
  it.each([
    [[GLASGOW], '--method is required'],
    [['--method', 'plurality', GLASGOW], '--method must be one of borda, irv, stv, schulze'],
    [['--method', 'stv'], 'a BLT file is required'],
    [['--method', 'stv', GLASGOW, GLASGOW], 'one BLT file only'],
    [['--method', 'stv', '--seats', '0', GLASGOW], '--seats must be a positive whole number'],
    [['--method', 'stv', '--seats', 'two', GLASGOW], '--seats must be a positive whole number'],
    [['--method', 'irv', '--seats', '3', GLASGOW], 'irv fills one seat'],
    [['--method', 'irv', '--variant', 'meek', GLASGOW], '--variant applies to --method stv only'],
    [['--method', 'stv', '--variant', 'droop', GLASGOW], '--variant must be scottish or meek'],
    [['--method', 'stv', '--lot', 'dice', GLASGOW], '--lot must be one of hash, listed, reversed'],
    [['--method', 'stv', '--frobnicate', GLASGOW], "unknown option '--frobnicate'"],
    [['--method'], '--method needs a value'],
    [['--method', 'stv', path.join(scratch, 'missing.blt')], 'cannot read'],
  ])('%j exits 2', async (argv, message) => {
    const { code, out, err } = await tally(argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
  });

  it('exits 1 with the line of a broken BLT file', async () => {
    const file = blt('broken.blt', '3 1\n1 1 2 0\n1 4 0\n0\n"a" "b" "c"\n');
    const { code, err } = await tally(['--method', 'stv', file]);
    expect(code).toBe(1);
    expect(err).toBe(`stemkring tally: ${file}: line 3: candidate 4 is out of range (1..3)\n`);
  });

  it('prints the usage on --help', async () => {
    const { code, out } = await tally(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('usage: stemkring tally --method');
  });
});

describe('the stemkring command', () => {
  it('runs tally through bin/stemkring.js', () => {
    const ok = spawnSync(process.execPath, ['bin/stemkring.js', 'tally', '--method', 'stv', '--variant', 'meek', '--lot', 'reversed', MEEK, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(json(ok.stdout).winners).toEqual(['A', 'B', 'Y']);
    const bad = spawnSync(process.execPath, ['bin/stemkring.js', 'tally', GLASGOW], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--method is required');
  });
});
