// The /metrics gauges over the push tables, from the stores that own them (subscriptions.ts,
// outbox.ts). Undefined once the database is closed (a late scrape while stopping).
import type { Db } from '../db.ts';
import type { MetricSources } from '../metrics.ts';
import { outboxDepth } from './outbox.ts';
import { countSubscriptions } from './subscriptions.ts';

/** The /metrics gauges' sources, read from `db` while it is open. */
export function pushMetricSources(db: Db): MetricSources {
  return {
    subscriptions: () => (db.isOpen ? countSubscriptions(db) : undefined),
    outboxDepth: () => (db.isOpen ? outboxDepth(db) : undefined),
  };
}
