// Reading argv: flags win over CREWBELL_* environment twins, which win over defaults; each
// value converted by its kind (a bad one is a UsageError naming the flag), and --help text.
import { parseArgs as parseArgv } from 'node:util';
import * as v from 'valibot';
import { UsageError, type FlagSpec, type FlagValue } from '../config.ts';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5s`, `3m`, `250ms`, `24h`, `60d` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not a duration (use ms, s, m, h or d, e.g. 5s)`);
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!);
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function envName(flag: string): string {
  return `CREWBELL_${flag.replace(/-/g, '_').toUpperCase()}`;
}

const Integer = v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.safeInteger());
const Bool = v.pipe(
  v.string(),
  v.transform((s) => s.toLowerCase()),
  v.picklist(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off', ''], 'must be true or false'),
  v.transform((s) => ['1', 'true', 'yes', 'on'].includes(s)),
);

function convert(spec: FlagSpec, raw: string, source: string): FlagValue {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'duration':
      try {
        return parseDuration(raw);
      } catch (err) {
        throw new UsageError(`${source}: ${(err as Error).message}`);
      }
    case 'integer':
    case 'boolean': {
      const result = v.safeParse(spec.kind === 'integer' ? Integer : Bool, raw);
      if (!result.success) throw new UsageError(`${source}: "${raw}" ${result.issues[0].message}`);
      return result.output;
    }
  }
}

export interface ParsedArgs {
  values: Record<string, FlagValue>;
  positionals: string[];
  help: boolean;
}

/**
 * Parses argv (after the command words) against the command's flags: node:util's parseArgs
 * splits it (`--flag value`, `--flag=value`, `--`, `-h`), then each flag is checked and
 * converted here, so unknown and valueless flags get crewbell's own one-line reasons.
 */
export function parseArgs(
  argv: string[],
  specs: FlagSpec[],
  env: Record<string, string | undefined> = process.env,
): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const s of specs) options[s.name] = { type: s.kind === 'boolean' ? 'boolean' : 'string' };
  const { tokens } = parseArgv({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const given = new Map<string, string>();
  const positionals: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (token.name === 'help' && token.value === undefined) {
      help = true;
      continue;
    }
    const spec = token.rawName.startsWith('--') ? byName.get(token.name) : undefined;
    if (!spec) throw new UsageError(`unknown flag ${token.rawName}`);
    if (token.value !== undefined) given.set(spec.name, token.value);
    else if (spec.kind === 'boolean') given.set(spec.name, 'true');
    else throw new UsageError(`--${spec.name} needs a value`);
  }
  const values: Record<string, FlagValue> = {};
  for (const spec of specs) {
    const fromFlag = given.get(spec.name);
    const fromEnv = env[envName(spec.name)];
    if (fromFlag !== undefined) values[spec.name] = convert(spec, fromFlag, `--${spec.name}`);
    else if (fromEnv !== undefined && fromEnv !== '') values[spec.name] = convert(spec, fromEnv, envName(spec.name));
    else if (spec.default !== undefined) values[spec.name] = convert(spec, spec.default, `--${spec.name}`);
    else values[spec.name] = spec.kind === 'boolean' ? false : undefined;
  }
  return { values, positionals, help };
}

/** `crewbell <command> --help`: usage, summary and every flag with its default and env twin. */
export function helpText(usage: string, summary: string, specs: FlagSpec[]): string {
  const lines = [`usage: ${usage}`, '', summary, ''];
  if (specs.length) {
    lines.push('flags (each also read from its CREWBELL_* environment twin; flags win):');
    const width = Math.max(...specs.map((s) => s.name.length + (s.kind === 'boolean' ? 0 : 8))) + 4;
    for (const s of specs) {
      const left = `  --${s.name}${s.kind === 'boolean' ? '' : ` <${s.kind === 'duration' ? 'dur' : s.kind === 'integer' ? 'n' : 'value'}>`}`;
      const def = s.default !== undefined ? ` (default ${s.default})` : '';
      lines.push(`${left.padEnd(width)} ${s.help}${def}  [${envName(s.name)}]`);
    }
  }
  lines.push('  --help  show this help');
  return lines.join('\n');
}
