// What the HTTP app is built from (kit: the bottom of the HTTP side, imported by every router;
// types only, so it points down). cli/serve.ts wires the real ones.
import type { Db } from '../db.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { ServeConfig } from '../config.ts';
import type { Session, User } from '../auth/sessions.ts';
import type { Metrics } from '../metrics.ts';
import type { ChangeSink } from '../notify/port.ts';
import type { WatchBellPort } from '../watch/port.ts';

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

/** What the email routes need (src/email/): whether a relay is configured, and a wake-up. */
export interface EmailDeps {
  /** --smtp-url was given: addresses can be verified and emails sent. */
  enabled: boolean;
  /** Emails were queued in the email outbox: wake the email worker. */
  kick(): void;
}

export interface AppDeps {
  db: Db;
  config: AppConfig;
  clock: Clock;
  log: Logger;
  notify: ChangeSink;
  /** The watch bell (src/watch/): told when entries arrive and plans are saved. */
  watchBell?: WatchBellPort;
  push: PushDeps;
  email: EmailDeps;
  metrics: Metrics;
}

export interface AppEnv {
  Variables: {
    user: User | undefined;
    session: Session | undefined;
  };
}
