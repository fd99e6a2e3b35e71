export { type CurrentPassword, SandboxBank, type SandboxBankOptions } from './bank.ts';
export { DatabaseSandboxState, MemorySandboxState, type SandboxBankState } from './state.ts';
export { SANDBOX_CREDENTIALS, SANDBOX_INPUTS, type SandboxCredential } from './scenarios.ts';
export { sandboxModule } from './module.ts';
