// Files shipped with crewbell (schema.sql, the built PWA): SEA assets inside the single
// binary, plain files next to the source under Node and Deno. `node:sea` does not exist
// in Deno, so it is looked up at run time, never imported.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

type Sea = { isSea(): boolean; getRawAsset(key: string): ArrayBuffer; getAssetKeys(): string[] };

function seaModule(): Sea | undefined {
  try {
    const sea = process.getBuiltinModule?.('node:sea') as Sea | undefined;
    return sea?.isSea() ? sea : undefined;
  } catch {
    return undefined;
  }
}

const sea = seaModule();

/**
 * The repository root when running from source. import.meta.url is empty inside the
 * CommonJS bundle the binary is made of, so this is only computed outside it; a bare
 * bundle run by plain `node` (no SEA) falls back to the working directory.
 */
function findSourceRoot(): string | undefined {
  if (sea) return undefined;
  const here = import.meta.url as string | undefined;
  return here ? path.resolve(path.dirname(fileURLToPath(here)), '..') : process.cwd();
}

/** The repository root when running from source; undefined inside the binary. */
const sourceRoot: string | undefined = findSourceRoot();

/**
 * An asset by its path relative to the repository root (`schema.sql`, `web/dist/app.js`),
 * or undefined when it is not there.
 */
export function readAsset(name: string): Uint8Array | undefined {
  if (name.split('/').includes('..') || path.isAbsolute(name)) return undefined;
  if (sea) {
    try {
      return new Uint8Array(sea.getRawAsset(name));
    } catch {
      return undefined; // getRawAsset throws for a key the build did not embed
    }
  }
  try {
    return readFileSync(path.join(sourceRoot!, name));
  } catch {
    return undefined;
  }
}

/** The assets under a folder (`web/dist`), as paths from the repository root; [] when it is not there. */
export function listAssets(folder: string): string[] {
  const prefix = `${folder.replace(/\/+$/, '')}/`;
  if (sea)
    return sea
      .getAssetKeys()
      .filter((key) => key.startsWith(prefix))
      .sort();
  const walk = (rel: string): string[] =>
    readdirSync(path.join(sourceRoot!, rel), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(`${rel}/${e.name}`) : e.isFile() ? [`${rel}/${e.name}`] : [],
    );
  try {
    return walk(prefix.slice(0, -1)).sort();
  } catch {
    return [];
  }
}

export function readTextAsset(name: string): string {
  const bytes = readAsset(name);
  if (!bytes) throw new Error(`asset ${name} is missing from this build`);
  return new TextDecoder().decode(bytes);
}
