import type { Migration, MigrationProvider } from 'kysely';
import * as m20261123T0100 from './20261123T0100_members_and_sessions';
import * as m20261123T0200 from './20261123T0200_rounds';
import * as m20261202T0100 from './20261202T0100_login_revocation_index';
import * as m20261202T0200 from './20261202T0200_audit_without_device_keys';
import * as m20261202T0300 from './20261202T0300_store_health';
import * as m20261202T0400 from './20261202T0400_order_and_uniqueness_in_the_schema';
import * as m20261202T0500 from './20261202T0500_secret_rounds';

/** Every migration, by timestamped name; the store runs the pending ones at start. */
const MIGRATIONS: Record<string, Migration> = {
  '20261123T0100_members_and_sessions': m20261123T0100,
  '20261123T0200_rounds': m20261123T0200,
  '20261202T0100_login_revocation_index': m20261202T0100,
  '20261202T0200_audit_without_device_keys': m20261202T0200,
  '20261202T0300_store_health': m20261202T0300,
  '20261202T0400_order_and_uniqueness_in_the_schema': m20261202T0400,
  '20261202T0500_secret_rounds': m20261202T0500,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
