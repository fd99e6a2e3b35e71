// The architecture's import rules, checked by `npm run lint` (dependency-cruiser).
// Layers point one way: routes → service → machine / connector / store → db; `http/` is the
// edge and reaches the features only through its route list (docs/development.md, STYLE.md).
// Type-only imports count: a layer that names another's types depends on it.
export const SERVER = '^packages/server/src/';
/** Edge code in the server: may import http/ and Fastify. Everything else in src/ is domain code. The operator console (console/) is edge: its pages are its routes. */
export const EDGE = `${SERVER}(http/|cli/|console/|server\\.ts$|services\\.ts$|[^/]+/routes/)`;
const ROUTES = `${SERVER}[^/]+/routes/`;
const STORES = `${SERVER}.*(/store|_store)\\.ts$`;
const FASTIFY = '^node_modules/(fastify|@fastify/)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-file-cycle',
      severity: 'error',
      comment: 'A module that imports, through any chain, a module that imports it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-not-to-http',
      severity: 'error',
      comment: 'Domain code (all of server/src but http/, cli/, server.ts, services.ts and */routes/) never imports the HTTP layer.',
      from: { path: SERVER, pathNot: EDGE },
      to: { path: `${SERVER}http/` },
    },
    {
      name: 'domain-not-to-fastify',
      severity: 'error',
      comment: 'Domain code never imports Fastify or its plugins: that is the edge.',
      from: { path: SERVER, pathNot: EDGE },
      to: { path: FASTIFY },
    },
    {
      name: 'http-features-via-route-list',
      severity: 'error',
      comment:
        "http/ reaches the features only through http/routes.ts; elsewhere it may use http/, lib/, config/, services.ts (the composition root) and the console's one entry (console/plugin.ts).",
      from: { path: `${SERVER}http/`, pathNot: `${SERVER}http/routes\\.ts$` },
      to: { path: SERVER, pathNot: `${SERVER}(http/|lib/|config/|services\\.ts$|console/plugin\\.ts$)` },
    },
    {
      name: 'only-routes-import-routes',
      severity: 'error',
      comment: 'A route file is imported only by the route list (and other route files, for shared schemas): services never call up into routes.',
      from: { path: SERVER, pathNot: `(${ROUTES}|${SERVER}http/routes\\.ts$)` },
      to: { path: ROUTES },
    },
    {
      name: 'routes-not-to-storage',
      severity: 'error',
      comment: 'Handlers call services; they never reach a store, db/ or Kysely directly.',
      from: { path: ROUTES },
      to: { path: [STORES, `${SERVER}db/`, '^node_modules/kysely/'] },
    },
    {
      name: 'stores-not-up',
      severity: 'error',
      comment: 'A store returns rows: it imports db/, lib/ and Kysely, never a service, a route, the machine or a connector.',
      from: { path: STORES },
      to: { path: SERVER, pathNot: [`${SERVER}(db|lib|config)/`, STORES] },
    },
    {
      name: 'db-is-the-bottom',
      severity: 'error',
      comment: 'db/ (dialects, migrations, schema) imports nothing of the server above it.',
      from: { path: `${SERVER}db/` },
      to: { path: SERVER, pathNot: `${SERVER}(db|lib|config)/` },
    },
    {
      name: 'machine-is-pure',
      severity: 'error',
      comment:
        'The session state machine is one pure transition function (STYLE.md 4): it may name the contract, lib/ and the connector outcomes it ' +
        'transitions on (connectors/types.ts), and nothing that stores, calls a bank or serves HTTP.',
      from: { path: `${SERVER}sessions/machine\\.ts$` },
      to: { pathNot: [`${SERVER}(lib/|connectors/types\\.ts$|sessions/machine\\.ts$)`, '^packages/contract/', '^node_modules/typebox/'] },
    },
    {
      name: 'connectors-not-up',
      severity: 'error',
      comment:
        'A connector speaks to a bank and returns outcomes: it sits beside the stores, above db/ only, and never reaches a service, a store or the edge.',
      from: { path: `${SERVER}connectors/` },
      to: { path: SERVER, pathNot: `${SERVER}(connectors|lib|db|config)/` },
    },
    {
      name: 'contract-is-the-bottom',
      severity: 'error',
      comment: 'The wire contract is shared by server, SDK and widget, so it imports none of them.',
      from: { path: '^packages/contract/' },
      to: { path: '^(packages/(server|sdk|connect)/|examples/)' },
    },
    {
      name: 'sdk-only-contract',
      severity: 'error',
      comment: 'The SDK depends on the contract and nothing else of Relink.',
      from: { path: '^packages/sdk/src/' },
      to: { path: '^(packages/(server|connect)/|examples/)' },
    },
    {
      name: 'connector-kit-only-contract',
      comment: 'The connector kit is what a bank connector depends on, published on its own: it depends on the contract and nothing else of Relink.',
      from: { path: '^packages/connector-kit/src/' },
      to: { path: '^(packages/(server|sdk|connect|testkit)/|examples/)' },
    },
    {
      name: 'connectors-outside-use-the-kit',
      comment: 'A connector outside the server (the Lagoon example) reaches Relink through the connector kit alone, as a third party would.',
      from: { path: '^examples/connector-lagoon/' },
      to: { path: '^packages/(server|sdk|connect|testkit|contract)/' },
    },
    {
      name: 'connect-not-server',
      severity: 'error',
      comment: 'The browser package ships to browsers: no server or SDK code.',
      from: { path: '^packages/connect/' },
      to: { path: '^(packages/(server|sdk)/|examples/)' },
    },
    {
      name: 'packages-not-examples',
      severity: 'error',
      comment: 'Nothing in packages/ imports the example app.',
      from: { path: '^packages/' },
      to: { path: '^examples/' },
    },
    {
      name: 'src-not-to-test',
      severity: 'error',
      comment: 'Shipped code never imports test code.',
      from: { path: '^(packages|examples)/[^/]+/src/' },
      to: { path: '^(packages|examples)/[^/]+/test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve would make every rule above pass by not seeing it.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.tmp)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
