/**
 * The import layers of src/, checked by `npm run lint:layers` (run by .ci/run).
 *
 * Levels from the bottom up; a module imports only from its own layer and from lower
 * levels. Layers on one level (`cold | query`, `debian | mem | testing`) do not import
 * each other. Type-only imports count: a type is a dependency of the design too.
 * README.md (the "Layout" paragraph) states the same order and rules.
 */

// dependency-cruiser parses TypeScript with typescript < 7 or with swc; without either it
// cruises 0 modules and reports no violation. This project has TypeScript 7, so swc it is.
try {
  require.resolve('@swc/core');
} catch {
  throw new Error(
    '.dependency-cruiser.cjs: @swc/core is not installed (npm ci installs it); without it dependency-cruiser reads no .ts file',
  );
}
const LEVELS = [
  { util: 'src/util/', errors: 'src/errors.ts' },
  { schema: 'src/schema/' },
  { keys: 'src/keys/' },
  { hot: 'src/hot/' },
  { cold: 'src/cold/', query: 'src/query/' },
  { store: 'src/store/' },
  { debian: 'src/debian/', mem: 'src/mem/', testing: 'src/testing/' },
  { cli: 'src/cli/' },
  { index: 'src/index.ts' },
];

/** A path rule for `prefix`: a folder (ends in `/`) or one file. */
const pattern = (prefix) => `^${prefix.replace(/[.]/g, '\\.')}${prefix.endsWith('/') ? '' : '$'}`;
const any = (prefixes) => `(${prefixes.map(pattern).join('|')})`;

/** The level and layer names of util and errors.ts are one layer: util. */
const layerOf = (name) => (name === 'errors' ? 'util' : name);

const layerRules = LEVELS.flatMap((level, i) => {
  const higher = LEVELS.slice(i + 1).flatMap((l) => Object.values(l));
  return Object.entries(level).flatMap(([name, prefix]) => {
    const peers = Object.entries(level)
      .filter(([other]) => layerOf(other) !== layerOf(name))
      .map(([, p]) => p);
    const forbidden = [...higher, ...peers];
    if (forbidden.length === 0) return [];
    return [
      {
        name: `layer-${name}`,
        comment: `${prefix} imports only from its own layer and the levels below it`,
        severity: 'error',
        from: { path: pattern(prefix) },
        to: { path: any(forbidden) },
      },
    ];
  });
});

/** What the package exposes (package.json "exports" and "bin"): every other module is reached from one. */
const ENTRIES = [
  'src/index.ts',
  'src/debian/index.ts',
  'src/mem/index.ts',
  'src/testing/index.ts',
  'src/cli/main.ts',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'adapters-use-the-store',
      comment:
        'debian/, mem/ and testing/ use stores through schema/, query/ and store/, never the tiers or the key index',
      severity: 'error',
      from: { path: any(['src/debian/', 'src/mem/', 'src/testing/']) },
      to: { path: any(['src/keys/', 'src/hot/', 'src/cold/']) },
    },
    {
      name: 'no-circular',
      comment: 'no import circles, type-only imports included',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unreachable-module',
      comment: 'every src module is reached from an entry point of the package (no dead files)',
      severity: 'error',
      from: { path: any(ENTRIES) },
      to: { path: '^src/', pathNot: any(ENTRIES), reachable: false },
    },
    {
      name: 'no-unresolvable',
      comment: 'every relative import resolves to a file',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript compiler API for dependency-cruiser to parse with
    // (it supports typescript < 7): swc parses the sources, type-only imports included.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      conditionNames: ['leanrec-source', 'import', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main'],
    },
    includeOnly: '^src/',
    doNotFollow: { path: 'node_modules' },
  },
};
