export { SandboxBank, MemoryPasswordStore, type SandboxBankOptions, type SandboxPasswordStore } from './bank.ts';
export { SANDBOX_CREDENTIALS, SANDBOX_INPUTS, type SandboxCredential } from './scenarios.ts';
