// Builds what crewbell serves and ships.
//   node build.ts web      the PWA into web/dist
//   node build.ts binary   the PWA, then dist/crewbell-linux-x64, dist/crewbell-linux-arm64, dist/crewbell
import { cpSync, mkdirSync } from 'node:fs';

// ---- the PWA -------------------------------------------------------------------------

export async function buildWeb(): Promise<void> {
  mkdirSync('web/dist', { recursive: true });
  cpSync('web/index.html', 'web/dist/index.html');
}

// ---- the single binary ---------------------------------------------------------------

export async function buildBinary(): Promise<void> {
  await buildWeb();
  throw new Error('the single binary is not built yet');
}

// ---- entry -----------------------------------------------------------------------------

const target = process.argv[2] ?? 'web';
if (import.meta.main) {
  if (target === 'web') await buildWeb();
  else if (target === 'binary') await buildBinary();
  else {
    console.error(`build.ts: unknown target "${target}" (web or binary)`);
    process.exit(2);
  }
}
