import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './0001_foundation.ts';
import * as linking from './0002_linking.ts';

/** Every migration, in order. Listed statically so a build needs no file-system scan. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_linking': linking,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
