// The part of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    amount?: number;
    duration?: number;
    requests?: Array<{
      setupRequest?: (req: object) => object;
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    }>;
  }
  interface Result {
    non2xx: number;
    errors: number;
    timeouts: number;
    requests: { sent: number; average: number };
    latency: { p50: number; p99: number };
  }
  export default function autocannon(options: Options): Promise<Result>;
}
