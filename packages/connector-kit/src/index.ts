/**
 * @relink/connector-kit: everything a bank connector for Relink needs. Write a module with
 * `defineConnector`, return `outcome.*` values, then run it in Relink (`RELINK_CONNECTORS`) or as
 * a service of its own (`@relink/connector-kit/protocol`), and prove it with `relink-connector-test`.
 */
export type {
  AccountData,
  BankAccount,
  BankConnector,
  BankIdentity,
  BankTransaction,
  ConnectorContext,
  ConnectorOutcome,
  ConnectorState,
  FetchOutcome,
  FetchRequest,
  LoginInput,
  ResetReason,
  SandboxControls,
} from './types.ts';
export { hasSandboxControls } from './types.ts';
export { CONNECTOR_INTERFACE_VERSION, incompatibility } from './version.ts';
export {
  checkModule,
  defineConnector,
  institutionProblem,
  type ConnectorEnvironment,
  type ConnectorLog,
  type ConnectorModule,
  type InstitutionDefinition,
  type TestLogins,
} from './module.ts';
export { loginForm, otpForm, outcome } from './outcomes.ts';
