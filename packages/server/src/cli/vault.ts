import { type CliContext, withCore } from './context.ts';

/**
 * `relink vault rotate`: rewraps every data key with the current RELINK_MASTER_KEY. The old
 * key must be listed in RELINK_PREVIOUS_MASTER_KEYS for the run; stored ciphertext is not
 * touched, so rotation is quick and cannot corrupt a credential.
 */
export async function vaultCommand(context: CliContext, sub: string | undefined): Promise<number> {
  if (sub !== 'rotate') throw new Error(`unknown command "vault ${sub ?? ''}": use vault rotate`);
  const result = await withCore(context, (s) => s.vault.rotate());
  const json = { rewrapped: result.rewrapped, masterKeyId: context.config.masterKey.id, unknownKeyIds: result.unknownKeyIds };
  if (context.values.json) context.out(JSON.stringify(json));
  else context.out(`Rewrapped ${result.rewrapped} data keys with master key ${context.config.masterKey.id}.`);
  if (result.unknownKeyIds.length > 0) {
    context.err(
      `relink: some records are wrapped by keys not configured here: ${result.unknownKeyIds.join(', ')}; add them to RELINK_PREVIOUS_MASTER_KEYS and run again`,
    );
    return 1;
  }
  return 0;
}
