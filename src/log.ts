// One line per event, `level message key=value …`, to stderr (stdout is for command output).
// Endpoints and secrets never reach here untruncated: callers pass truncateEndpoint().
export type Fields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

function format(level: string, message: string, fields?: Fields): string {
  let line = `${new Date().toISOString()} ${level} ${message}`;
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (v === undefined) continue;
    const s = String(v);
    line += ` ${k}=${/[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s}`;
  }
  return line;
}

export function createLogger(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  return {
    info: (m, f) => write(format('info', m, f)),
    warn: (m, f) => write(format('warn', m, f)),
    error: (m, f) => write(format('error', m, f)),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Push endpoints identify a device: logs and admin output show the origin and a short tail. */
export function truncateEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    const rest = url.pathname + url.search;
    return `${url.origin}/…${rest.length > 8 ? rest.slice(-8) : rest}`;
  } catch {
    return endpoint.length > 24 ? `${endpoint.slice(0, 16)}…` : endpoint;
  }
}
