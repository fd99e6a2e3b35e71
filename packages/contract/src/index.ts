export * from './errors.ts';
export * from './envelope.ts';
export * from './institutions.ts';
