#!/usr/bin/env node
// The load generator, a process of its own: autocannon driven by a JSON plan (argv[2]), one
// JSON result on stdout. A plan is either one request repeated, or a flow: a list of requests
// each connection sends in order, where a request may use what an earlier answer returned
// (`{{session}}`, `{{code}}`, `{{account}}`). A flow counts as done when its last request
// answers 2xx; anything else counts as an error. `overallRate` paces all connections together
// (requests per second); `amount` sends that many requests instead of running for `seconds`.
import autocannon from 'autocannon';

const plan = JSON.parse(process.argv[2]);
const perConnection = plan.perConnection ?? [];
const free = [...perConnection];
const flow = plan.flow;
let flows = 0;
let connection = 0;

const fill = (text, context) => text.replace(/\{\{(\w+)\}\}/g, (_, name) => context[name] ?? '');
const steps = flow?.map((step, index) => ({
  method: step.method,
  path: step.path,
  setupRequest(request, context) {
    if (index === 0) {
      // autocannon clears a connection's context at the start of every pass through the flow, so
      // per-connection values (an account) are lent from a pool and given back at the flow's
      // end: two connections never work on the same account at once.
      context.lent = free.pop() ?? perConnection[connection++ % Math.max(perConnection.length, 1)] ?? {};
      context.vars = { ...context.lent };
    }
    const vars = context.vars;
    const headers = { ...plan.headers, ...(step.headers ?? {}) };
    for (const [name, value] of Object.entries(headers)) headers[name] = fill(value, vars);
    return { ...request, path: fill(step.path, vars), headers, body: step.body === undefined ? undefined : fill(JSON.stringify(step.body), vars) };
  },
  onResponse(status, body, context) {
    if (index === flow.length - 1 && context.lent) free.push(context.lent);
    if (status < 200 || status >= 300) return;
    if (step.capture) {
      const parsed = JSON.parse(body);
      for (const [name, path] of Object.entries(step.capture)) context.vars[name] = path.split('.').reduce((o, k) => o?.[k], parsed);
    }
    if (index === flow.length - 1) flows++;
  },
}));

const result = await autocannon({
  url: plan.url,
  connections: plan.connections,
  ...(plan.amount ? { amount: plan.amount } : { duration: plan.seconds }),
  method: plan.method ?? 'GET',
  ...(plan.overallRate ? { overallRate: plan.overallRate } : {}),
  headers: plan.headers,
  body: plan.body === undefined ? undefined : JSON.stringify(plan.body),
  ...(steps ? { requests: steps } : {}),
});
const seconds = result.duration;
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    seconds,
    rps: result.requests.total / seconds,
    flowsPerSecond: flow && flow.length > 1 ? flows / seconds : undefined,
    errors: result.errors + result.timeouts + result.non2xx,
    non2xx: result.non2xx,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    // This process's own CPU: the load shares the machine with what it measures.
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  }) + '\n',
);
