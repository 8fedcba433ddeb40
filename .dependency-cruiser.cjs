/**
 * The dependency rules of DESIGN.md, checked in CI (`npm run deps:check`):
 * dependencies point toward core; microsoft, store and sinks never import each other (only the
 * collector connects them); nothing imports cli or server (cli may start the server); the emulator
 * never imports the real clients or the collector; the web UI talks to the server only over HTTP, typed by
 * the one API contract (src/server/api-types.ts, imported as types).
 * net (the HTTP client, bearer same-origin checks, the retry loop) sits just above core: it imports only
 * core, and microsoft, collector and sinks use it instead of owning their own.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'core is vocabulary with no dependency on other modules',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!core/)' },
    },
    {
      name: 'net-is-generic',
      severity: 'error',
      comment: 'net is the outbound HTTP and retry layer any service uses: it knows nothing but core',
      from: { path: '^src/net/' },
      to: { path: '^src/(?!core/|net/)' },
    },
    {
      name: 'net-users',
      severity: 'error',
      comment:
        'the HTTP client and the retry loop are for the modules that call out: microsoft, collector, sinks (and config and cli, which wire them)',
      from: { path: '^src/', pathNot: '^src/(net|microsoft|collector|sinks|config|cli)/' },
      to: { path: '^src/net/' },
    },
    {
      name: 'config-below-modules',
      severity: 'error',
      comment:
        'config turns stored configuration into live objects: it may use core, the Microsoft clients and the store contract, nothing above them',
      from: { path: '^src/config/' },
      to: { path: '^src/(?!core/|config/|microsoft/|net/|store/contract)' },
    },
    {
      name: 'microsoft-not-store',
      severity: 'error',
      comment: 'only the collector connects Microsoft clients and the store',
      from: { path: '^src/microsoft/' },
      to: { path: '^src/(store|sinks|collector|ingest|search|reports|posture)/' },
    },
    {
      name: 'store-not-microsoft',
      severity: 'error',
      comment: 'the store never talks to Microsoft',
      from: { path: '^src/store/' },
      to: { path: '^src/(microsoft|sinks|collector|posture|reports)/' },
    },
    {
      name: 'sinks-isolated',
      severity: 'error',
      from: { path: '^src/sinks/' },
      to: { path: '^src/(microsoft|store|collector)/' },
    },
    {
      name: 'analysis-is-pure',
      severity: 'error',
      comment:
        'analysis holds facts shared by reports and detections (domains, mail rules, role holders): pure functions over records, reading the store only through its contract; ingest/fields.ts is the pure AuditData readers (no imports of its own)',
      from: { path: '^src/analysis/' },
      to: { path: '^src/(?!core/|analysis/|store/contract\\.ts$|ingest/fields\\.ts$)' },
    },
    {
      name: 'analysis-store-types-only',
      severity: 'error',
      comment: 'analysis is handed a store; it uses the contract types, never an adapter or a value of store/',
      from: { path: '^src/analysis/' },
      to: { path: '^src/store/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'analysis-above-its-inputs',
      severity: 'error',
      comment: 'reports and detections (and what wires them) use analysis; the modules below it do not',
      from: { path: '^src/(core|config|store|microsoft|collector|ingest|search|posture|sinks|net|coverage)/' },
      to: { path: '^src/analysis/' },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli is the composition root',
      from: { path: '^(src|emulator|web)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'only-cli-imports-server',
      severity: 'error',
      from: { path: '^(src|emulator)/', pathNot: '^src/(cli|server)/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'emulator-is-independent',
      severity: 'error',
      comment: 'the emulator is independent evidence of the contract',
      from: { path: '^emulator/' },
      to: { path: '^src/(microsoft|collector|store|search|reports|posture|server|ingest)/' },
    },
    {
      name: 'src-not-emulator',
      severity: 'error',
      comment: 'the product never depends on the emulator, except cli (demo, emulator commands)',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^emulator/' },
    },
    {
      name: 'web-over-http',
      severity: 'error',
      comment:
        'the web UI talks to the server only over HTTP; of src/ it imports only the API contract, src/server/api-types.ts',
      from: { path: '^web/' },
      to: { path: '^(src|emulator)/', pathNot: '^src/server/api-types\\.ts$' },
    },
    {
      name: 'web-imports-contract-as-types',
      severity: 'error',
      comment: 'the console imports the API contract with `import type`, so no server code reaches its bundle',
      from: { path: '^web/' },
      to: { path: '^src/server/api-types\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'api-contract-is-types',
      severity: 'error',
      comment: 'src/server/api-types.ts imports only types: the web bundle must stay free of server code',
      from: { path: '^src/server/api-types\\.ts$' },
      to: { dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'store-not-ingest',
      severity: 'error',
      comment:
        'the store keeps records, it does not interpret them: the facts backfill gets its rule from whoever opens the store (cli)',
      from: { path: '^src/store/', pathNot: '\\.test\\.ts$|/testing/' },
      to: { path: '^src/ingest/' },
    },
    {
      name: 'readers-use-the-store-contract',
      severity: 'error',
      comment:
        'reports, detections, coverage and sinks read records only through the store contract, never an adapter; a worker thread entry (*-worker.ts) is its own composition root and may open the store',
      from: {
        path: '^src/(reports|detections|coverage|sinks|analysis)/',
        pathNot: '\\.test\\.ts$|/testing/|-worker\\.ts$',
      },
      to: { path: '^src/store/(?!contract|auth-contract|tail-position)' },
    },
    {
      name: 'collector-reads-no-config',
      severity: 'error',
      comment: 'the collector is handed connected tenants; reading and decrypting configuration is config and cli',
      from: { path: '^src/collector/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/config/' },
    },
    {
      name: 'core-starts-no-threads',
      severity: 'error',
      comment: 'core is vocabulary without I/O: worker threads are started in src/runtime',
      from: { path: '^src/core/' },
      to: { path: '(^|node:)worker_threads$' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(node_modules|dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
