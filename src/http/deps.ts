// What the HTTP app is built from. main.ts wires the real ones; tests wire their own.
import type { Db } from '../db.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { ServeConfig } from '../config.ts';
import type { Session, User } from '../auth/sessions.ts';
import type { Metrics } from '../metrics.ts';

export interface CrewChange {
  ownerId: string;
  logbookId: string;
  /** Successful items in one request by one crew member. */
  count: number;
}

/** Where sync reports crew changes, inside the sync transaction (src/notify/). */
export interface CrewChangeSink {
  record(change: CrewChange): void;
}

export interface AppConfig extends ServeConfig {
  /** The public origin, resolved (default http://localhost:<real port>). */
  origin: string;
}

/** What the push routes need beyond the database (src/push/). */
export interface PushDeps {
  /** The VAPID public key browsers subscribe with (base64url). */
  vapidPublicKey(): string;
  /** Jobs were queued in the outbox: wake the worker. */
  kick(): void;
}

export interface AppDeps {
  db: Db;
  config: AppConfig;
  clock: Clock;
  log: Logger;
  notify: CrewChangeSink;
  /** Push routes are mounted when present (serve always wires them). */
  push?: PushDeps;
  /** /metrics is mounted when present. */
  metrics?: Metrics;
}

export interface AppEnv {
  Variables: {
    user: User | undefined;
    session: Session | undefined;
  };
}
