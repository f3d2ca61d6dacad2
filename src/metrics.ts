// Prometheus metrics (prom-client) on a registry of the server's own, plus the process
// defaults. Gauges that mirror the database read their counts from push/stats.ts when scraped.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Counts read at scrape time (push/stats.ts gives them from the database). */
export interface MetricSources {
  subscriptions(): number | undefined;
  outboxDepth(): number | undefined;
}

export interface Metrics {
  registry: Registry;
  pushSent: Counter<'result'>;
  pushDuration: Histogram;
  coalescedChanges: Counter;
  emailSent: Counter<'result'>;
}

export function createMetrics(sources: MetricSources | undefined, options: { defaults?: boolean } = {}): Metrics {
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
    help: 'Changes by others folded into notifications (counted once per recipient notified)',
    registers: [registry],
  });
  const emailSent = new Counter({
    name: 'crewbell_email_sent_total',
    help: 'Emails handed to the relay by result: success, retry (will be tried again), failed (given up)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const result of ['success', 'retry', 'failed'] as const) emailSent.inc({ result }, 0);
  new Gauge({
    name: 'crewbell_push_subscriptions',
    help: 'Push subscriptions stored',
    registers: [registry],
    collect() {
      const n = sources?.subscriptions();
      if (n !== undefined) this.set(n);
    },
  });
  new Gauge({
    name: 'crewbell_push_outbox_depth',
    help: 'Push deliveries waiting in the outbox (including ones waiting for a retry)',
    registers: [registry],
    collect() {
      const n = sources?.outboxDepth();
      if (n !== undefined) this.set(n);
    },
  });
  return { registry, pushSent, pushDuration, coalescedChanges, emailSent };
}
