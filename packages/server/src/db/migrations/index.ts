import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './0001_foundation.ts';

/** Every migration, in order. Listed statically so a build needs no file-system scan. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': foundation,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
