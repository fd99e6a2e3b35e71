/** The conformance kit: the connector contract's behaviour tests, as a function and as `relink-connector-test`. */
export { runConformance, type CheckResult, type Target } from './checks.ts';
export { capturingConsole, loadTarget } from './load.ts';
export { formatTable, main } from './cli.ts';
