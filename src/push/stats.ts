// Counts over the push tables for /metrics and doctor: push owns these tables, so their SQL
// lives here. Undefined once the database is closed (a late scrape while stopping).
import { prepared, type Db } from '../db.ts';
import type { MetricSources } from '../metrics.ts';

export function subscriptionCount(db: Db): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM push_subscriptions').get() as { n: number }).n;
}

export function outboxDepth(db: Db): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n;
}

/** The /metrics gauges' sources, read from `db` while it is open. */
export function pushMetricSources(db: Db): MetricSources {
  return {
    subscriptions: () => (db.isOpen ? subscriptionCount(db) : undefined),
    outboxDepth: () => (db.isOpen ? outboxDepth(db) : undefined),
  };
}
