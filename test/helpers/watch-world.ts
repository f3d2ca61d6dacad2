// A watch bell on a hand-moved clock and a real SQLite file, for the unit tests: a logbook
// with members who each have one device and the account switch on, a plan saver, and the
// pushes queued so far. Time moves only by clock.advance().
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createWatchBell, type WatchBell } from '../../src/watch/bell.ts';
import { savePlan } from '../../src/watch/store.ts';
import { setCollaboratorChangesEnabled } from '../../src/notify/prefs.ts';
import { parseWith } from '../../src/kit/validate.ts';
import { WatchPlanBody } from '../../src/wire/watches.ts';
import { tempDir } from './server.ts';

export const MIN = 60_000;

export interface World {
  db: Db;
  file: string;
  dir: string;
  clock: ManualClock;
  logbookId: string;
  /** name → user id */
  users: Record<string, string>;
  bell: WatchBell;
}

export function world(
  start: number,
  names = ['anna', 'joerg', 'kim'],
  locales: Record<string, 'de' | 'en'> = {},
): World {
  const dir = tempDir('crewbell-watch-');
  const file = join(dir, 'crewbell.db');
  const db = openDatabase(file);
  const clock = new ManualClock(start);
  const logbookId = randomUUID();
  const users: Record<string, string> = {};
  for (const name of names) {
    const id = randomUUID();
    users[name] = id;
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, name);
    db.prepare(
      "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, 'k', 'a', ?, 0)",
    ).run(randomUUID(), id, `https://push.example/${id}`, locales[name] ?? 'en');
    setCollaboratorChangesEnabled(db, id, true, 0);
  }
  db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(
    logbookId,
    users[names[0]!],
  );
  for (const name of names.slice(1)) {
    db.prepare("INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, 'WRITE', 0)").run(
      logbookId,
      users[name],
    );
  }
  const bell = createWatchBell({ db, clock, log: silentLogger, enabled: true, onQueued: () => {} });
  bell.start();
  return { db, file, dir, clock, logbookId, users, bell };
}

export function done(w: World) {
  w.bell.stop();
  if (w.db.isOpen) w.db.close();
  rmSync(w.dir, { recursive: true, force: true });
}

export interface Plan {
  underWay?: boolean;
  watches: { start: number; end: number; members: string[]; id?: string }[];
  beforeMinutes?: number;
  logEveryMinutes?: number | null;
  timeZone?: string;
}

export function save(w: World, plan: Plan) {
  const body = parseWith(WatchPlanBody, {
    underWay: plan.underWay ?? false,
    watches: plan.watches.map((x) => ({
      ...(x.id ? { id: x.id } : {}),
      startsAt: new Date(x.start).toISOString(),
      endsAt: new Date(x.end).toISOString(),
      members: x.members.map((m) => w.users[m]!),
    })),
    reminders: { beforeMinutes: plan.beforeMinutes ?? 10, logEveryMinutes: plan.logEveryMinutes ?? null },
    timeZone: plan.timeZone ?? 'Europe/Berlin',
  });
  w.bell.planSaved(savePlan(w.db, w.logbookId, body, w.clock.now()));
}

/** Pushes queued so far: who got which text, when it was queued. */
export function rung(w: World): { to: string; body: string; tag: string; kind: string; at: number }[] {
  const names = Object.fromEntries(Object.entries(w.users).map(([n, id]) => [id, n]));
  return (
    w.db
      .prepare(
        'SELECT s.user_id, o.payload, o.created_at FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id ORDER BY o.id',
      )
      .all() as { user_id: string; payload: string; created_at: number }[]
  ).map((r) => {
    const p = JSON.parse(r.payload);
    return { to: names[r.user_id]!, body: p.body, tag: p.tag, kind: p.data.kind, at: r.created_at };
  });
}
