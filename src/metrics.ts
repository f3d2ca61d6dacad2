// Prometheus metrics (prom-client) on a registry of the server's own, plus the process
// defaults. Gauges that mirror the database are read when /metrics is scraped.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Db } from './db.ts';
import type { AppDeps, AppEnv } from './http/deps.ts';
import { forbidden, unauthenticated } from './http/errors.ts';
import { clientAddress } from './http/middleware.ts';

export type SendResult = 'success' | 'retry' | 'gone' | 'failed';

export interface Metrics {
  registry: Registry;
  pushSent: Counter<'result'>;
  pushDuration: Histogram;
  coalescedChanges: Counter;
}

export function createMetrics(db: Db | undefined, options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry });
  const pushSent = new Counter({
    name: 'crewbell_push_sent_total',
    help: 'Push requests by result: success, retry (will be tried again), gone (subscription removed), failed',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const result of ['success', 'retry', 'gone', 'failed'] as const) pushSent.inc({ result }, 0);
  const pushDuration = new Histogram({
    name: 'crewbell_push_duration_seconds',
    help: 'Time of one push request, encryption included',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const coalescedChanges = new Counter({
    name: 'crewbell_notify_coalesced_changes_total',
    help: 'Crew changes folded into notifications',
    registers: [registry],
  });
  new Gauge({
    name: 'crewbell_push_subscriptions',
    help: 'Push subscriptions stored',
    registers: [registry],
    collect() {
      if (db?.isOpen) this.set((db.prepare('SELECT COUNT(*) AS n FROM push_subscriptions').get() as { n: number }).n);
    },
  });
  new Gauge({
    name: 'crewbell_push_outbox_depth',
    help: 'Push deliveries waiting in the outbox (including ones waiting for a retry)',
    registers: [registry],
    collect() {
      if (db?.isOpen) this.set((db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n);
    },
  });
  return { registry, pushSent, pushDuration, coalescedChanges };
}

/** Loopback clients only, unless a token is configured: then exactly that bearer token. */
export function metricsAllowed(address: string, authorization: string | undefined, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(authorization ?? '');
    const wanted = Buffer.from(`Bearer ${token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || /^127\./.test(address) || /^::ffff:127\./.test(address);
}

export function metricsRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => {
    const metrics = deps.metrics!;
    if (!metricsAllowed(clientAddress(c, deps.config.trustProxy), c.req.header('authorization'), deps.config.metricsToken)) {
      throw deps.config.metricsToken ? unauthenticated() : forbidden('metrics are served to loopback clients only (or set --metrics-token)');
    }
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  return app;
}
