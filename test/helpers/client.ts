// An HTTP client that behaves like the PWA in a browser: keeps cookies, sends the Origin
// header on state-changing requests, speaks JSON. Over real HTTP (a server process) or
// straight into the app in this process (test/helpers/app.ts passes app.request).
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export class Client {
  readonly base: string;
  readonly origin: string;
  readonly fetch: Fetch;
  cookies = new Map<string, string>();

  constructor(base: string, origin: string, fetchImpl: Fetch = fetch) {
    this.base = base;
    this.origin = origin;
    this.fetch = fetchImpl;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; rawBody?: string | Uint8Array; origin?: string | null } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    const origin = options.origin === undefined ? this.origin : options.origin;
    if (origin !== null && method !== 'GET' && method !== 'HEAD') headers.origin = origin;
    let payload: string | Uint8Array | undefined = options.rawBody;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await this.fetch(this.base + path, { method, headers, body: payload as string | undefined });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) =>
          /max-age=0\b/i.test(a.trim()) || (/^expires=/i.test(a.trim()) && Date.parse(a.trim().slice(8)) < Date.now()),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get<T = any>(path: string, options?: Parameters<Client['request']>[3]) {
    return this.request<T>('GET', path, undefined, options);
  }
  post<T = any>(path: string, body?: unknown, options?: Parameters<Client['request']>[3]) {
    return this.request<T>('POST', path, body, options);
  }
  put<T = any>(path: string, body?: unknown, options?: Parameters<Client['request']>[3]) {
    return this.request<T>('PUT', path, body, options);
  }
  patch<T = any>(path: string, body?: unknown, options?: Parameters<Client['request']>[3]) {
    return this.request<T>('PATCH', path, body, options);
  }
  delete<T = any>(path: string, body?: unknown, options?: Parameters<Client['request']>[3]) {
    return this.request<T>('DELETE', path, body, options);
  }
}

/** Asserts the contract's error shape: the status, `{error: {code, message}}`, and optionally the message. */
export function assertError(res: ApiResponse, status: number, code: string, message?: RegExp): void {
  if (res.status !== status || res.body?.error?.code !== code || typeof res.body?.error?.message !== 'string') {
    throw new Error(`expected ${status} ${code}, got ${res.status}: ${res.text}`);
  }
  if (message && !message.test(res.body.error.message)) {
    throw new Error(`error message ${JSON.stringify(res.body.error.message)} does not match ${message}`);
  }
}
