// What the HTTP app is built from. main.ts wires the real ones; tests wire their own.
import type { Db } from '../db.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { ServeConfig } from '../config.ts';
import type { Session, User } from '../auth/sessions.ts';

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

export interface AppDeps {
  db: Db;
  config: AppConfig;
  clock: Clock;
  log: Logger;
  notify: CrewChangeSink;
}

export interface AppEnv {
  Variables: {
    user: User | undefined;
    session: Session | undefined;
  };
}
