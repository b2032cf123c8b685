/**
 * The command line's options, read by node:util's parseArgs (`--name value`,
 * `--name=value`, `-h`, `--` before a positional that starts with a dash).
 * parseArgs is run leniently and its tokens checked here, so that each
 * command answers in its own words: an unknown option or a missing value is
 * a usage error (exit 2) that names the option, not an exception.
 */
import { parseArgs } from 'node:util';

export type ArgsRead<V> =
  | { readonly ok: true; readonly values: V; readonly positionals: readonly string[] }
  | { readonly ok: false; readonly help: true }
  | { readonly ok: false; readonly message: string };

/** `valueOptions` take a value; `flags` do not; `--help`/`-h` is always known. */
export function readArgs<S extends string, F extends string>(
  argv: readonly string[],
  valueOptions: readonly S[],
  flags: readonly F[],
  missingValue: (option: string) => string = (option) => `${option} needs a value`,
): ArgsRead<{ readonly [K in S]?: string } & { readonly [K in F]: boolean }> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const name of valueOptions) options[name] = { type: 'string' };
  for (const name of flags) options[name] = { type: 'boolean' };
  const { values, positionals, tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  if (values['help'] === true) return { ok: false, help: true };
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const known = options[token.name];
    if (known === undefined) return { ok: false, message: `unknown option '${token.rawName}'` };
    if (known.type === 'string' && (token.value === undefined || token.value === '')) return { ok: false, message: missingValue(token.rawName) };
    if (known.type === 'boolean' && token.value !== undefined) return { ok: false, message: `${token.rawName} takes no value` };
  }
  const read: Record<string, string | boolean | undefined> = {};
  for (const name of valueOptions) read[name] = typeof values[name] === 'string' ? values[name] : undefined;
  for (const name of flags) read[name] = values[name] === true;
  return { ok: true, values: read as { readonly [K in S]?: string } & { readonly [K in F]: boolean }, positionals };
}
