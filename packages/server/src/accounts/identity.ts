import type { BankIdentity } from '../connectors/types.ts';
import type { Db } from '../db/database.ts';
import type { Vault } from '../vault/vault.ts';

/**
 * The bank's identity record (full name, phone, email, the full BVN) is kept in the vault:
 * `accounts.identity` holds `vault:<record id>`, never the record itself. Rows written before
 * sealing hold the JSON and are read as before; their next data sync seals them.
 */
const SEALED = 'vault:';

/** The vault record an `accounts.identity` value points to, if it is sealed. */
export function identitySecretOf(stored: string | null): string | null {
  return stored?.startsWith(SEALED) ? stored.slice(SEALED.length) : null;
}

/**
 * Seals an identity record's JSON into the account's vault record, under a fresh data key (a new
 * record when it has none yet); returns the column value, which stays the same once the record
 * exists.
 */
export async function sealIdentity(vault: Vault, previous: string | null, json: string, trx: Db): Promise<string> {
  const existing = identitySecretOf(previous);
  if (!existing) return SEALED + (await vault.seal('bank_identity', json, trx));
  await vault.reseal(existing, json, trx);
  return SEALED + existing;
}

export async function openIdentity(vault: Vault, stored: string | null): Promise<BankIdentity | null> {
  if (!stored) return null;
  const id = identitySecretOf(stored);
  return JSON.parse(id ? await vault.open(id) : stored) as BankIdentity;
}
