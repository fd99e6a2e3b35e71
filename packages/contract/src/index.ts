export * from './errors.ts';
export * from './envelope.ts';
export * from './institutions.ts';
export * from './sessions.ts';
export * from './webhooks.ts';
export * from './events.ts';
export * from './connect.ts';
