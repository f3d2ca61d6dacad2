// The import graph of src/ as a rule: no cycles between folders or files, and imports
// point only down the layers. Reads the source files; starts nothing. Type-only imports are left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../src');

/** Bottom first: a module may import from its own layer (without cycles) or any layer below. */
const LAYERS: string[][] = [
  ['assets.ts', 'clock.ts', 'config.ts', 'db.ts', 'log.ts', 'metrics.ts', 'tokens.ts', 'version.ts'],
  ['kit'],
  ['auth', 'logbooks', 'push', 'notify', 'sync'],
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
    const specifiers = braces?.[1]!.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
    const onlyTypes = braces !== null && besideBraces === '' && specifiers.length > 0 && specifiers.every((s) => s.startsWith('type '));
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
  assert.notEqual(index, -1, `src/${file} belongs to no declared layer: add ${unit(file)} to LAYERS in test/layering.test.ts`);
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

test('imports point down the layers: base → kit → domains → app and cli', () => {
  const upward: string[] = [];
  for (const [file, targets] of importGraph()) {
    for (const target of targets) {
      if (layerOf(target) > layerOf(file)) upward.push(`src/${file} → src/${target}`);
    }
  }
  assert.deepEqual(upward, [], `imports up the layers:\n${upward.join('\n')}`);
});
