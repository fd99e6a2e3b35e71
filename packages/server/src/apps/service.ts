import type { MasterKey } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { AppRow } from '../db/schema.ts';
import type { Clock } from '../lib/clock.ts';
import { newObjectId, newPublicKey, newSecretKey, newWebhookSecret } from '../lib/ids.ts';
import { hashSecret, secretsEqual } from '../lib/secrets.ts';
import type { Vault } from '../vault/vault.ts';
import { AppStore } from './store.ts';

export type AppMode = 'test' | 'live';

export interface App {
  id: string;
  name: string;
  mode: AppMode;
  publicKey: string;
  /** Last four characters of the secret key, to tell keys apart without showing them. */
  secretKeyHint: string | null;
  webhookUrl: string | null;
  /** Set when a receiver answered 410 Gone: delivery stops until a URL is set again. */
  webhookDisabled: { at: number; reason: string } | null;
  createdAt: number;
}

/** What `create` returns: the only time the secret key and webhook secret are shown. */
export interface CreatedApp extends App {
  secretKey: string;
  webhookSecret: string;
}

export class LiveKeyRequiresMasterKey extends Error {
  constructor() {
    super('live apps need RELINK_MASTER_KEY set in the environment (a generated key file is for local test mode only)');
  }
}

/** Resolved keys remembered at most; a full cache is emptied and fills again. */
const KEY_CACHE_SIZE = 10_000;

export class AppService {
  private readonly store: AppStore;
  private readonly resolved = new Map<string, { changes: number; app: App }>();

  constructor(
    private readonly db: Db,
    private readonly vault: Vault,
    private readonly masterKey: MasterKey,
    private readonly clock: Clock,
    /** How often `apps` may have changed (see `DialectSetup.changeCounter`); absent, nothing is cached. */
    private readonly appsChanges?: () => number,
  ) {
    this.store = new AppStore(db);
  }

  /**
   * Creates an app as the one-time setup step `step`: of several processes starting on one
   * fresh database, exactly one creates it; the others (and every later call) get undefined.
   */
  async createOnce(step: string, input: { name: string }): Promise<CreatedApp | undefined> {
    try {
      return await this.create(input, step);
    } catch (error) {
      const done = await this.db.selectFrom('bootstrap_steps').select('step').where('step', '=', step).executeTakeFirst();
      if (done) return undefined;
      throw error;
    }
  }

  async create(input: { name: string; webhookUrl?: string | undefined; live?: boolean }, step?: string): Promise<CreatedApp> {
    const mode: AppMode = input.live ? 'live' : 'test';
    if (mode === 'live' && this.masterKey.source !== 'env') throw new LiveKeyRequiresMasterKey();
    const id = newObjectId();
    const secretKey = newSecretKey(mode);
    const webhookSecret = newWebhookSecret();
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      // First, so a second process doing the same step fails here (primary key) and writes nothing.
      if (step) await trx.insertInto('bootstrap_steps').values({ step, done_at: now }).execute();
      const webhookSecretId = await this.vault.seal('webhook_secret', webhookSecret, trx);
      await this.store.insert(
        {
          id,
          name: input.name,
          mode,
          secret_key_hash: hashSecret(secretKey),
          secret_key_hint: secretKey.slice(-4),
          public_key: newPublicKey(mode),
          webhook_url: input.webhookUrl ?? null,
          webhook_secret_id: webhookSecretId,
          webhook_disabled_at: null,
          webhook_disabled_reason: null,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        },
        trx,
      );
    });
    const app = (await this.get(id))!;
    return { ...app, secretKey, webhookSecret };
  }

  async get(id: string): Promise<App | undefined> {
    const row = await this.store.findById(id);
    return row && toApp(row);
  }

  async list(): Promise<App[]> {
    return (await this.store.list()).map(toApp);
  }

  /**
   * Resolves a secret key to its app. The key is hashed and looked up by its hash, and the
   * stored hash is compared in constant time: a wrong key costs the same work as a right one.
   * Where the database can say cheaply whether `apps` changed since (SQLite), a key resolved
   * before is answered from memory until any app changes, in any process; a rotated or
   * deleted key therefore fails on the very next request everywhere. Only keys that worked
   * are remembered.
   */
  async authenticate(secretKey: string): Promise<App | undefined> {
    const hash = hashSecret(secretKey);
    // Read before the lookup: a change that lands while it runs leaves the entry stale at once.
    const changes = this.appsChanges?.();
    const cached = changes === undefined ? undefined : this.resolved.get(hash);
    if (cached && cached.changes === changes) return cached.app;
    const row = await this.store.findByKeyHash(hash);
    const matched = secretsEqual(row?.secret_key_hash ?? '', hash);
    if (!row || !matched) return undefined;
    if (row.mode === 'live' && this.masterKey.source !== 'env') return undefined;
    const app = toApp(row);
    if (changes !== undefined) {
      if (this.resolved.size >= KEY_CACHE_SIZE) this.resolved.clear();
      this.resolved.set(hash, { changes, app });
    }
    return app;
  }

  /** Issues a new secret key. The old one stops working at once. */
  async rotateKey(id: string): Promise<{ id: string; secretKey: string } | undefined> {
    const row = await this.store.findById(id);
    if (!row) return undefined;
    const secretKey = newSecretKey(row.mode);
    const updated = await this.store.update(id, {
      secret_key_hash: hashSecret(secretKey),
      secret_key_hint: secretKey.slice(-4),
      updated_at: this.clock.now(),
    });
    return updated ? { id, secretKey } : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return this.store.update(id, { deleted_at: this.clock.now(), secret_key_hash: null, updated_at: this.clock.now() });
  }

  async webhookSecret(id: string): Promise<string | undefined> {
    const row = await this.store.findById(id);
    if (!row?.webhook_secret_id) return undefined;
    return this.vault.open(row.webhook_secret_id);
  }

  /** True when any live app exists: such apps need a master key from the environment. */
  async hasLiveApps(): Promise<boolean> {
    return (await this.store.list()).some((row) => row.mode === 'live');
  }
}

function toApp(row: AppRow): App {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    publicKey: row.public_key,
    secretKeyHint: row.secret_key_hint,
    webhookUrl: row.webhook_url,
    webhookDisabled: row.webhook_disabled_at === null ? null : { at: row.webhook_disabled_at, reason: row.webhook_disabled_reason ?? '' },
    createdAt: row.created_at,
  };
}
