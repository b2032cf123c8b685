import { buildApp } from './app';
import { configFromEnv } from './config';

/** Starts Stemkring from the environment (api.md, "Set-up from the environment"). */
async function main(): Promise<void> {
  const loaded = configFromEnv(process.env, process.cwd());
  if (!loaded.ok) {
    process.stderr.write(`stemkring: ${loaded.message}\n`);
    process.exit(2);
  }
  const { config } = loaded;
  const app = await buildApp(config);
  const url = await app.start();
  app.logger.info({ url, dataDir: config.dataDir, instance: app.instance.id }, 'Stemkring is running');

  const admins = await app.store.db
    .selectFrom('members')
    .select('email')
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .execute();
  if (admins.length === 0) {
    process.stdout.write(
      `\nStemkring draait op ${url}\nNo admin yet: restart with STEMKRING_BOOTSTRAP_ADMIN="you@example.org:a-long-password" npm start, then sign in with that email and password.\n\n`,
    );
  } else {
    process.stdout.write(`\nStemkring draait op ${url}\nSign in as admin with ${admins.map((a) => a.email).join(', ')} (the password given in STEMKRING_BOOTSTRAP_ADMIN).\n\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'stopping');
    app.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        app.logger.error({ err: e }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`stemkring: could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
