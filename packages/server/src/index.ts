export { loadConfig, type Config } from './config/config.ts';
export { startServer, type RunningServer } from './server.ts';
export { createServices, type Services } from './services.ts';
export { ManualClock, systemClock, type Clock } from './lib/clock.ts';
export { readSandboxSecrets, writeSandboxSecrets, type SandboxSecrets } from './sandbox/secrets.ts';
