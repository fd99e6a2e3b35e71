import type { Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types. Times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL);
 * booleans are 0/1 integers; JSON is stored as text. This keeps every column portable.
 */
export interface Schema {
  apps: AppsTable;
  vault_secrets: VaultSecretsTable;
}

export interface AppsTable {
  id: string;
  name: string;
  mode: 'test' | 'live';
  secret_key_hash: string | null;
  secret_key_hint: string | null;
  public_key: string;
  webhook_url: string | null;
  webhook_secret_id: string | null;
  webhook_disabled_at: number | null;
  webhook_disabled_reason: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}
export type AppRow = Selectable<AppsTable>;
export type NewAppRow = Insertable<AppsTable>;
export type AppUpdate = Updateable<AppsTable>;

export interface VaultSecretsTable {
  id: string;
  purpose: string;
  /** Id of the master key that wrapped `wrapped_key`. */
  kek_id: string;
  wrapped_key: string;
  ciphertext: string;
  created_at: number;
  updated_at: number;
}
export type VaultSecretRow = Selectable<VaultSecretsTable>;
