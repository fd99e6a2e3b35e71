import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { MasterKey } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { newId } from '../lib/ids.ts';
import { secureRandomBytes } from '../lib/random.ts';

/**
 * The credential vault: envelope encryption with AES-256-GCM.
 *
 * Each record gets its own random data key; the data key is wrapped by the master key and
 * stored beside the ciphertext with the master key's id. Rotating the master key rewraps the
 * data keys only: the ciphertext of a credential is never decrypted or rewritten by rotation.
 * Both layers bind their record id as associated data, so a ciphertext cannot be moved to
 * another row and still open.
 */
export class Vault {
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly db: Db,
    private readonly master: MasterKey,
    previous: MasterKey[],
    private readonly clock: Clock,
  ) {
    this.keys = new Map([...previous, master].map((k) => [k.id, k.key]));
  }

  /** Encrypts `plaintext` into a new record and returns its id. */
  async seal(purpose: string, plaintext: string, executor: Db = this.db): Promise<string> {
    const id = newId('vs');
    const now = this.clock.now();
    await executor
      .insertInto('vault_secrets')
      .values({ id, purpose, ...this.encrypt(id, plaintext), created_at: now, updated_at: now })
      .execute();
    return id;
  }

  /** Replaces a record's plaintext under a fresh data key. */
  async reseal(id: string, plaintext: string, executor: Db = this.db): Promise<void> {
    await executor
      .updateTable('vault_secrets')
      .set({ ...this.encrypt(id, plaintext), updated_at: this.clock.now() })
      .where('id', '=', id)
      .execute();
  }

  async open(id: string, executor: Db = this.db): Promise<string> {
    return (await this.openMany([id], executor))(id);
  }

  private decryptRecord(row: { id: string; kek_id: string; wrapped_key: string; ciphertext: string }): string {
    const dataKey = this.unwrap(row.id, row.kek_id, row.wrapped_key);
    return decrypt(dataKey, Buffer.from(row.ciphertext, 'base64'), recordAad(row.id)).toString('utf8');
  }

  /**
   * Reads several records in one query. Each is decrypted when `open` is called for it, so a
   * record that is missing or does not open fails only the caller that asked for it.
   */
  async openMany(ids: string[], executor: Db = this.db): Promise<(id: string) => string> {
    const rows =
      ids.length === 0 ? [] : await executor.selectFrom('vault_secrets').select(['id', 'kek_id', 'wrapped_key', 'ciphertext']).where('id', 'in', ids).execute();
    const found = new Map(rows.map((row) => [row.id, row]));
    return (id) => {
      const row = found.get(id);
      if (!row) throw new Error(`vault record ${id} does not exist`);
      return this.decryptRecord(row);
    };
  }

  async remove(id: string, executor: Db = this.db): Promise<void> {
    await executor.deleteFrom('vault_secrets').where('id', '=', id).execute();
  }

  /**
   * Rewraps every data key not wrapped by the current master key. Each row is updated with a
   * guard on its old key id, so two concurrent rotations cannot clobber each other.
   */
  async rotate(): Promise<{ rewrapped: number; unknownKeyIds: string[] }> {
    let rewrapped = 0;
    const unknown = new Set<string>();
    for (;;) {
      const rows = await this.db
        .selectFrom('vault_secrets')
        .select(['id', 'kek_id', 'wrapped_key'])
        .where('kek_id', '!=', this.master.id)
        .$if(unknown.size > 0, (q) => q.where('kek_id', 'not in', [...unknown]))
        .limit(500)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        if (!this.keys.has(row.kek_id)) {
          unknown.add(row.kek_id);
          continue;
        }
        const dataKey = this.unwrap(row.id, row.kek_id, row.wrapped_key);
        const result = await this.db
          .updateTable('vault_secrets')
          .set({ kek_id: this.master.id, wrapped_key: this.wrap(row.id, dataKey) })
          .where('id', '=', row.id)
          .where('kek_id', '=', row.kek_id)
          .executeTakeFirst();
        rewrapped += Number(result.numUpdatedRows);
      }
    }
    return { rewrapped, unknownKeyIds: [...unknown] };
  }

  private encrypt(id: string, plaintext: string) {
    const dataKey = secureRandomBytes(32);
    return {
      kek_id: this.master.id,
      wrapped_key: this.wrap(id, dataKey),
      ciphertext: encrypt(dataKey, Buffer.from(plaintext, 'utf8'), recordAad(id)).toString('base64'),
    };
  }

  private wrap(id: string, dataKey: Buffer): string {
    return encrypt(this.master.key, dataKey, wrapAad(id)).toString('base64');
  }

  private unwrap(id: string, kekId: string, wrapped: string): Buffer {
    const kek = this.keys.get(kekId);
    if (!kek) {
      throw new Error(`vault record ${id} is wrapped by master key ${kekId}, which is not configured (set it in RELINK_PREVIOUS_MASTER_KEYS)`);
    }
    return decrypt(kek, Buffer.from(wrapped, 'base64'), wrapAad(id));
  }
}

const recordAad = (id: string) => Buffer.from(`relink:vault:data:${id}`);
const wrapAad = (id: string) => Buffer.from(`relink:vault:key:${id}`);

/** iv (12) | tag (16) | ciphertext */
function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = secureRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}
