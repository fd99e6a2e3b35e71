/** The connector protocol: serve a connector module over HTTP, or call a service that serves one. */
export { connectRemote, RemoteConnectorError, type RemoteOptions } from './client.ts';
export { serveConnector, type ConnectorService, type Faults, type ServeOptions } from './server.ts';
export { PROTOCOL_OPENAPI } from './openapi.ts';
export { HEADERS, PATHS, newMessageId, signedHeaders, type Manifest } from './wire.ts';
