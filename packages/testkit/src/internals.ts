/**
 * What the kit takes from inside @relink/server beyond its entry point (a test kit may; the
 * product never imports the kit). Kept to this one file, so a move inside packages/server/src
 * is one edit here.
 */
export { createLogger } from '../../server/src/lib/logger.ts';
export type { ServiceOptions } from '../../server/src/services.ts';
export { SandboxBank } from '../../server/src/connectors/sandbox/index.ts';
export {
  type BankConnector,
  type ConnectorContext,
  type ConnectorState,
  type FetchRequest,
  hasSandboxControls,
  type LoginInput,
  type ResetReason,
} from '../../server/src/connectors/types.ts';
