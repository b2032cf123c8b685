/** Entry of the `stemkring` command line: dispatches to one sub-command. */

const USAGE = `usage: stemkring <command> [options]

commands:
  tally   --method <m> [--seats N] [--variant scottish|meek] FILE.blt [--json]
          count a BLT file and print the stages (or the result as JSON)
  verify  <bundle.json> [--receipt FILE] [--json]
          check a published outcome bundle offline and recount it
  cast    --server URL --email E --device FILE --round ID --choice JSON
          vote as the web client does (password from STEMKRING_PASSWORD); prints the receipt
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'tally': {
      const { runTally } = await import('./tally');
      return runTally(rest);
    }
    case 'verify': {
      const { runVerify } = await import('./verify');
      return runVerify(rest);
    }
    case 'cast': {
      const { runCast } = await import('./cast');
      return runCast(rest);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`stemkring: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
