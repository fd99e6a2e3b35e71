import { migrate, openDatabase } from '../db/database.ts';
import type { CliContext } from './context.ts';

export async function migrateCommand(context: CliContext): Promise<number> {
  const database = openDatabase(context.config.database);
  try {
    const { applied } = await migrate(database);
    context.out(applied.length === 0 ? 'Schema is up to date.' : `Applied: ${applied.join(', ')}`);
    return 0;
  } finally {
    await database.close();
  }
}
