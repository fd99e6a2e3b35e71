// Folder cycles (`npm run lint`): two folders that import each other through any chain.
// A second cruise because dependency-cruiser counts a folder's subfolders as part of it: with the
// edge in the graph, `accounts/` (holding `accounts/routes/`) → http/ → `sessions/routes/` →
// sessions/ → accounts/ would be a cycle by design, since http/routes.ts lists every route.
// So this cruise leaves out the edge (http/, cli/, */routes/, server.ts, services.ts): every
// import between the edge and the domain is already judged file by file in .dependency-cruiser.mjs
// (domain-not-to-http, only-routes-import-routes, http-features-via-route-list), and what remains
// is the domain, the other packages, tests, scripts and bench, where no folder cycle is allowed.
import base, { EDGE } from './.dependency-cruiser.mjs';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'Two folders that import each other, through any chain of imports outside the edge.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: { ...base.options, exclude: { path: [base.options.exclude.path, EDGE] } },
};
