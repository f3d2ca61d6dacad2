// The import graph of src/ as a rule: no cycles between folders or files, imports point only
// down the layers, and the PWA reaches into src/ only for the wire. Reads files; starts nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');
const WEB = resolve(import.meta.dirname, '../../web/src');

/** Bottom first: a module may import from its own layer (without cycles) or any layer below. */
const LAYERS: string[][] = [
  ['wire'],
  ['assets.ts', 'clock.ts', 'config.ts', 'db.ts', 'group-commit.ts', 'log.ts', 'metrics.ts', 'tokens.ts', 'version.ts'],
  ['kit', 'texts'],
  ['auth', 'logbooks', 'push', 'email', 'notify', 'sync', 'replication', 'watch'],
  ['app', 'cli', 'main.ts'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Specifiers of the imports that exist at run time (`import type` and all-`type` lists are left out). */
export function runtimeImports(source: string): string[] {
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(statement)) {
    if (m[2]) continue;
    const clause = m[3] ?? '';
    const braces = /\{([^}]*)\}/.exec(clause);
    const besideBraces = clause.replace(/\{[^}]*\}/, '').replace(/[\s,]/g, '');
    const specifiers =
      (braces?.[1] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean) ?? [];
    const onlyTypes =
      braces !== null && besideBraces === '' && specifiers.length > 0 && specifiers.every((s) => s.startsWith('type '));
    if (!onlyTypes) found.push(m[4]!);
  }
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

/** file (relative to src/) → the src/ files it imports at run time. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const targets = runtimeImports(readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(SRC, resolve(dirname(file), spec)))
      .filter((target) => !target.startsWith('..'));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** The top-level entry (folder or file) under src/ a file belongs to. */
const unit = (file: string): string => file.split('/')[0]!;

function layerOf(file: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(unit(file)));
  assert.notEqual(
    index,
    -1,
    `src/${file} belongs to no declared layer: add ${unit(file)} to LAYERS in test/unit/layering.test.ts`,
  );
  return index;
}

/** One cycle of the graph as a path, or undefined (depth-first search, colours). */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const cycle = visit(node);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

test('the import reader sees value imports and leaves type-only ones out', () => {
  const source = [
    "import { a } from './a.ts';",
    "import type { B } from './b.ts';",
    "import { type C, type D } from './c.ts';",
    "import { type E, f } from './e.ts';",
    "import G, { type H } from './g.ts';",
    "export { i } from './i.ts';",
    "export type { J } from './j.ts';",
    "import {\n  k,\n  type L,\n} from './k.ts';",
  ].join('\n');
  assert.deepEqual(runtimeImports(source), ['./a.ts', './e.ts', './g.ts', './i.ts', './k.ts']);
});

test('no file imports another in a cycle', () => {
  const graph = importGraph();
  const files = new Map([...graph].map(([file, targets]) => [file, new Set(targets)]));
  const cycle = findCycle(files);
  assert.equal(cycle, undefined, `file import cycle: ${cycle?.join(' → ')}`);
});

test('no folder imports another in a cycle', () => {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of importGraph()) {
    const from = folders.get(unit(file)) ?? new Set<string>();
    for (const target of targets) if (unit(target) !== unit(file)) from.add(unit(target));
    folders.set(unit(file), from);
  }
  const cycle = findCycle(folders);
  assert.equal(cycle, undefined, `folder import cycle: ${cycle?.join(' → ')}`);
});

test('imports point down the layers: wire → base → kit → domains → app and cli', () => {
  const upward: string[] = [];
  for (const [file, targets] of importGraph()) {
    for (const target of targets) {
      if (layerOf(target) > layerOf(file)) upward.push(`src/${file} → src/${target}`);
    }
  }
  assert.deepEqual(upward, [], `imports up the layers:\n${upward.join('\n')}`);
});

/** Every import specifier, type-only ones included. */
function allImports(source: string): string[] {
  const statements =
    /^\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  return [...source.matchAll(statements)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

test('the wire sits at the bottom: it imports only valibot and itself, nothing of the server or of Node', () => {
  const outside: string[] = [];
  for (const file of sourceFiles(join(SRC, 'wire'))) {
    for (const spec of allImports(readFileSync(file, 'utf8'))) {
      const inWire =
        spec.startsWith('.') && relative(join(SRC, 'wire'), resolve(dirname(file), spec)).split('/')[0] !== '..';
      if (!inWire && spec !== 'valibot') outside.push(`src/${relative(SRC, file)} → ${spec}`);
    }
  }
  assert.deepEqual(outside, [], `the PWA bundles src/wire: it must stay free of server code`);
});

test('the PWA reaches into src/ only for the wire, and takes values only from wire files free of valibot', () => {
  const wrong: string[] = [];
  let wireImports = 0;
  for (const file of [...sourceFiles(WEB), join(WEB, '../sw.ts')]) {
    const source = readFileSync(file, 'utf8');
    const runtime = new Set(runtimeImports(source));
    for (const spec of allImports(source)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file), spec));
      if (target.startsWith('..')) continue;
      wireImports++;
      const from = `web/${relative(join(WEB, '..'), file)} → src/${target}`;
      if (unit(target) !== 'wire') wrong.push(`${from} (not the wire)`);
      else if (runtime.has(spec) && runtimeImports(readFileSync(join(SRC, target), 'utf8')).length > 0)
        wrong.push(`${from} (a value from a file with imports: import type, or move it to a plain file)`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(wireImports > 0, 'the PWA takes its API types from src/wire');
});

// What the server loads at run time is a production dependency, so the binary and
// `npm ci --omit=dev` have it; the test tools (web-push among them) stay devDependencies.

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

test('every package src/ imports at run time is a dependency, none a devDependency', () => {
  const pkg = JSON.parse(readFileSync(join(SRC, '../package.json'), 'utf8'));
  const used = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    for (const spec of runtimeImports(readFileSync(file, 'utf8')))
      if (!spec.startsWith('.') && !spec.startsWith('node:')) used.set(packageOf(spec), file);
  }
  assert.ok(used.has('hono'), 'the scan finds the imports');
  for (const [name, file] of used)
    assert.ok(Object.hasOwn(pkg.dependencies, name), `${name} (imported by ${file}) is in dependencies`);
  assert.ok(!Object.hasOwn(pkg.dependencies, 'web-push'), 'web-push is a test tool: devDependencies');
  assert.ok(Object.hasOwn(pkg.devDependencies, 'web-push'));
});
