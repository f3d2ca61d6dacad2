// Builds what crewbell serves and ships. `node build.ts web` builds the PWA into web/dist.
import { cpSync, mkdirSync } from 'node:fs';

export function buildWeb(): void {
  mkdirSync('web/dist', { recursive: true });
  cpSync('web/index.html', 'web/dist/index.html');
}

const target = process.argv[2] ?? 'web';
if (target === 'web') buildWeb();
