-- crewbell's whole schema, as numbered steps. `src/db.ts` applies every step above the
-- database's PRAGMA user_version, one transaction per step, and never edits a step once
-- released: a change to the schema is a new step at the end.
-- Times are integer milliseconds since the epoch. Ids are uuids unless noted.

-- step 1: accounts, passkeys, sessions, logbooks, crew, invites, synced entries
CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  username    TEXT NOT NULL UNIQUE COLLATE NOCASE,
  is_admin    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);

CREATE TABLE passkeys (
  id            TEXT PRIMARY KEY,              -- credential id, base64url
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  public_key    BLOB NOT NULL,
  counter       INTEGER NOT NULL DEFAULT 0,
  transports    TEXT NOT NULL DEFAULT '[]',    -- JSON array
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- Lucia-guide sessions: id is the hex SHA-256 of the cookie token, never the token.
CREATE TABLE sessions (
  id               TEXT PRIMARY KEY,
  user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at       INTEGER NOT NULL,
  reverified_at    INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

-- WebAuthn challenges, bound to the crewbell_challenge cookie (id = SHA-256 of it), used once.
CREATE TABLE auth_challenges (
  id           TEXT PRIMARY KEY,
  purpose      TEXT NOT NULL CHECK (purpose IN ('register', 'login', 'passkey', 'reauth')),
  challenge    TEXT NOT NULL,
  user_id      TEXT,            -- the user being registered, or the signed-in user
  username     TEXT,
  invite_token TEXT,            -- SHA-256 of the invite or sign-up token used to register
  expires_at   INTEGER NOT NULL
);

-- Admin sign-up links from `crewbell user invite`; only the token's SHA-256 is kept.
CREATE TABLE signup_tokens (
  token_hash  TEXT PRIMARY KEY,
  username    TEXT NOT NULL COLLATE NOCASE,
  is_admin    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER
);

CREATE TABLE logbooks (
  id          TEXT PRIMARY KEY,
  owner_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  meta        TEXT NOT NULL,                   -- base64url ciphertext made in the browser
  created_at  INTEGER NOT NULL
);
CREATE INDEX logbooks_owner ON logbooks(owner_id);

-- Crew only: the owner is logbooks.owner_id, never a row here.
CREATE TABLE logbook_members (
  logbook_id  TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('WRITE', 'READ')),
  joined_at   INTEGER NOT NULL,
  PRIMARY KEY (logbook_id, user_id)
);
CREATE INDEX logbook_members_user ON logbook_members(user_id);

CREATE TABLE invites (
  token_hash  TEXT PRIMARY KEY,
  logbook_id  TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('WRITE', 'READ')),
  created_by  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  used_by     TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX invites_logbook ON invites(logbook_id);

-- Opaque synced entries. seq counts writes per logbook: the pull cursor.
CREATE TABLE entries (
  logbook_id  TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  entity_id   TEXT NOT NULL,
  version     INTEGER NOT NULL,
  payload     TEXT,                            -- base64url ciphertext; NULL once deleted
  deleted     INTEGER NOT NULL DEFAULT 0,
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
  seq         INTEGER NOT NULL,
  PRIMARY KEY (logbook_id, entity_id)
);
CREATE UNIQUE INDEX entries_seq ON entries(logbook_id, seq);

-- step 2: push keys, subscriptions, preferences, the coalescing state, the outbox
CREATE TABLE vapid_keys (
  id                 INTEGER PRIMARY KEY CHECK (id = 1),
  public_key         TEXT NOT NULL,           -- base64url, 65-byte uncompressed P-256 point
  private_key_sealed TEXT NOT NULL,           -- AES-256-GCM with the data dir's secret key
  subject            TEXT,                    -- the contact `serve` last signed with (for CLI sends)
  created_at         INTEGER NOT NULL
);

CREATE TABLE push_subscriptions (
  id               TEXT PRIMARY KEY,
  user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint         TEXT NOT NULL UNIQUE,
  p256dh           TEXT NOT NULL,
  auth             TEXT NOT NULL,
  expiration_time  INTEGER,
  locale           TEXT NOT NULL DEFAULT 'en' CHECK (locale IN ('de', 'en')),
  vapid_public_key TEXT,                      -- the server key the browser subscribed with
  created_at       INTEGER NOT NULL,
  last_used_at     INTEGER,
  failures         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);

CREATE TABLE push_prefs (
  user_id                       TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  collaborator_changes_enabled  INTEGER NOT NULL DEFAULT 0,
  updated_at                    INTEGER NOT NULL
);

-- One row per (owner, logbook): the coalescing rule's whole state. due_at is NULL when
-- nothing is pending; last_sent_at drives the throttle.
CREATE TABLE notify_state (
  owner_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  logbook_id     TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  pending_count  INTEGER NOT NULL DEFAULT 0,
  due_at         INTEGER,
  last_sent_at   INTEGER,
  PRIMARY KEY (owner_id, logbook_id)
);
CREATE INDEX notify_state_due ON notify_state(due_at) WHERE due_at IS NOT NULL;

-- One job per (notification, device). payload is the cleartext JSON message (generic by
-- design); it is encrypted for the device just before sending.
CREATE TABLE push_outbox (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  subscription_id  TEXT NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
  payload          TEXT NOT NULL,
  topic            TEXT,
  urgency          TEXT NOT NULL DEFAULT 'normal',
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  last_error       TEXT
);
CREATE INDEX push_outbox_due ON push_outbox(next_attempt_at);

-- step 3: recovery links (`crewbell user recover`): a sign-up token that adds a passkey to
-- an existing account instead of creating one
ALTER TABLE signup_tokens ADD COLUMN purpose TEXT NOT NULL DEFAULT 'signup' CHECK (purpose IN ('signup', 'recover'));

-- step 4: notifications the owner controls: quiet hours in the push prefs, per-logbook mute,
-- and what a pending notification summarises (counts by action, the crew who wrote)
ALTER TABLE push_prefs ADD COLUMN quiet_from TEXT;          -- "HH:MM", NULL = no quiet hours
ALTER TABLE push_prefs ADD COLUMN quiet_to TEXT;            -- "HH:MM"; from > to spans midnight
ALTER TABLE push_prefs ADD COLUMN quiet_time_zone TEXT;     -- IANA name, e.g. Europe/Berlin
ALTER TABLE notify_state ADD COLUMN pending_creates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notify_state ADD COLUMN pending_updates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notify_state ADD COLUMN pending_deletes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notify_state ADD COLUMN pending_crew TEXT NOT NULL DEFAULT '[]';  -- JSON array of user ids, in order of first change
-- A row means the user muted the logbook: its crew changes are dropped, not held.
CREATE TABLE notify_muted_logbooks (
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  logbook_id  TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  muted_at    INTEGER NOT NULL,
  PRIMARY KEY (user_id, logbook_id)
);

-- step 5: who wrote an entry first, every version of every entry (the history a restore
-- comes from), and an id for each invite so the owner can list and revoke it without its token
ALTER TABLE entries ADD COLUMN created_by TEXT REFERENCES users(id) ON DELETE SET NULL;
UPDATE entries SET created_by = updated_by WHERE version = 1;

-- One row per version, written in the same transaction as the entry itself. replaced_at is
-- set when a newer version arrives; a replaced version is kept at least 90 days after that.
CREATE TABLE entry_versions (
  logbook_id   TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  entity_id    TEXT NOT NULL,
  version      INTEGER NOT NULL,
  payload      TEXT,                           -- base64url ciphertext; NULL for a delete
  deleted      INTEGER NOT NULL DEFAULT 0,
  updated_at   INTEGER NOT NULL,
  updated_by   TEXT REFERENCES users(id) ON DELETE SET NULL,
  replaced_at  INTEGER,
  PRIMARY KEY (logbook_id, entity_id, version)
);
CREATE INDEX entry_versions_replaced ON entry_versions(logbook_id, replaced_at) WHERE replaced_at IS NOT NULL;
INSERT INTO entry_versions (logbook_id, entity_id, version, payload, deleted, updated_at, updated_by)
  SELECT logbook_id, entity_id, version, payload, deleted, updated_at, updated_by FROM entries;

ALTER TABLE invites ADD COLUMN id TEXT;
UPDATE invites SET id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX invites_id ON invites(id);

-- step 6: durability and abuse bounds. Sequence numbers for the sync cursor come from one
-- persisted counter (never MAX(seq)+1) and cursors name the server start (epoch) they came
-- from, so a roll-back cannot make a cursor skip; a recovery link names its account by id;
-- failing devices are counted apart from passing trouble; usage per logbook for quotas;
-- expired challenges are found by an index.
CREATE TABLE sync_counter (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq  INTEGER NOT NULL
);
INSERT INTO sync_counter (id, last_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM entries;
-- One row per server start: numbers above first_seq were handed out in this epoch, and the
-- next row's first_seq is where it durably ended (src/sync/sequence.ts). Cursors from before
-- this step name no epoch: they belong to 'legacy'.
CREATE TABLE sync_epochs (
  id          TEXT PRIMARY KEY,
  first_seq   INTEGER NOT NULL,
  started_at  INTEGER NOT NULL
);
INSERT INTO sync_epochs (id, first_seq, started_at) VALUES ('legacy', 0, 0);
-- The account a recovery link was made for (an account of the same name made later is another one).
ALTER TABLE signup_tokens ADD COLUMN user_id TEXT REFERENCES users(id) ON DELETE CASCADE;
UPDATE signup_tokens SET user_id = (
  SELECT u.id FROM users u WHERE u.username = signup_tokens.username AND u.created_at <= signup_tokens.created_at
) WHERE purpose = 'recover';
ALTER TABLE push_subscriptions ADD COLUMN permanent_failures INTEGER NOT NULL DEFAULT 0;
CREATE INDEX push_subscriptions_user_used ON push_subscriptions(user_id, last_used_at);
CREATE INDEX auth_challenges_expiry ON auth_challenges(expires_at);
-- The newest time a running server has seen, so that a clock that starts behind it (a Pi has
-- no real-time clock; a boat has no network time) is noticed even when nothing else was written.
CREATE TABLE clock_mark (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  seen_at  INTEGER NOT NULL
);
-- What each logbook holds, for the per-account quotas (an account's usage is the sum over the
-- logbooks it owns): its entries (deleted ones included), and the bytes of ciphertext of
-- every version kept (the current ones and the history). Kept by triggers, so every writer
-- keeps it true and a quota check reads a few rows instead of every entry.
CREATE TABLE logbook_usage (
  logbook_id  TEXT PRIMARY KEY REFERENCES logbooks(id) ON DELETE CASCADE,
  entries     INTEGER NOT NULL DEFAULT 0,
  bytes       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO logbook_usage (logbook_id, entries, bytes)
  SELECT l.id, (SELECT COUNT(*) FROM entries e WHERE e.logbook_id = l.id),
         (SELECT COALESCE(SUM(length(v.payload)), 0) FROM entry_versions v WHERE v.logbook_id = l.id)
    FROM logbooks l;
CREATE TRIGGER entries_usage_insert AFTER INSERT ON entries BEGIN
  INSERT INTO logbook_usage (logbook_id, entries) VALUES (NEW.logbook_id, 1)
    ON CONFLICT (logbook_id) DO UPDATE SET entries = entries + 1;
END;
CREATE TRIGGER entries_usage_delete AFTER DELETE ON entries BEGIN
  UPDATE logbook_usage SET entries = entries - 1 WHERE logbook_id = OLD.logbook_id;
END;
CREATE TRIGGER entry_versions_usage_insert AFTER INSERT ON entry_versions BEGIN
  INSERT INTO logbook_usage (logbook_id, bytes) VALUES (NEW.logbook_id, COALESCE(length(NEW.payload), 0))
    ON CONFLICT (logbook_id) DO UPDATE SET bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER entry_versions_usage_delete AFTER DELETE ON entry_versions BEGIN
  UPDATE logbook_usage SET bytes = bytes - COALESCE(length(OLD.payload), 0) WHERE logbook_id = OLD.logbook_id;
END;

-- step 7: the first-start link: while there is no account, `serve` prints a one-time admin
-- sign-up link for whatever username its opener picks; each start replaces it, and it dies
-- once any account exists
ALTER TABLE signup_tokens ADD COLUMN first_start INTEGER NOT NULL DEFAULT 0;

-- step 8: the watch bell (issue 20). A logbook's watch plan (times and who stands each
-- watch: metadata, never content), and every reminder as a row written when the plan is
-- saved: a watch reminder is marked sent in the transaction that queues its pushes, a log
-- reminder's due time moves on when it rings or an entry is synced
CREATE TABLE watch_plans (
  logbook_id         TEXT PRIMARY KEY REFERENCES logbooks(id) ON DELETE CASCADE,
  under_way          INTEGER NOT NULL DEFAULT 0,
  before_minutes     INTEGER NOT NULL DEFAULT 10,
  log_every_minutes  INTEGER,                    -- NULL: no log reminders
  time_zone          TEXT,                       -- the planner's zone, for texts to members without one
  updated_at         INTEGER NOT NULL
);
CREATE TABLE watches (
  logbook_id  TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  starts_at   INTEGER NOT NULL,
  ends_at     INTEGER NOT NULL,
  members     TEXT NOT NULL,                     -- JSON array of user ids
  PRIMARY KEY (logbook_id, id)
);
CREATE TABLE watch_reminders (
  id          INTEGER PRIMARY KEY,
  logbook_id  TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('watch', 'log')),
  watch_id    TEXT,                              -- kind watch: the watch it announces
  user_id     TEXT REFERENCES users(id) ON DELETE CASCADE, -- kind watch: who it rings
  starts_at   INTEGER,                           -- kind watch: the start it announces
  due_at      INTEGER NOT NULL,
  sent_at     INTEGER                            -- kind watch: NULL while pending
);
CREATE INDEX watch_reminders_due ON watch_reminders(due_at) WHERE sent_at IS NULL;
CREATE INDEX watch_reminders_logbook ON watch_reminders(logbook_id, kind, user_id);
-- A member who leaves or is removed is rung no more.
CREATE TRIGGER watch_reminders_member_gone AFTER DELETE ON logbook_members BEGIN
  DELETE FROM watch_reminders WHERE logbook_id = OLD.logbook_id AND user_id = OLD.user_id AND sent_at IS NULL;
END;

-- step 9: devices that heal and the app badge. When each device last opened the app (it
-- sends its subscription at every start), since when and why deliveries to it fail (kept in
-- words for the settings page, the log and doctor), and per recipient and logbook how many
-- changes they were notified of since they last opened the app (the badge count).
ALTER TABLE push_subscriptions ADD COLUMN last_seen_at INTEGER;
ALTER TABLE push_subscriptions ADD COLUMN failing_since INTEGER;
ALTER TABLE push_subscriptions ADD COLUMN failing_reason TEXT;
CREATE TABLE push_badges (
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  logbook_id  TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  changes     INTEGER NOT NULL,
  PRIMARY KEY (user_id, logbook_id)
);

-- step 10: every member can be notified, and email reaches those push can't. The coalescing
-- row is per (recipient, logbook) now: the owner's rows keep their settings and pending
-- counts under the new column name. notify owns the prefs (push_prefs → notify_prefs). The
-- per-logbook switch is an explicit choice; without one, the owner hears changes and crew
-- don't (the owner's mutes carry over as "off").
ALTER TABLE notify_state RENAME COLUMN owner_id TO user_id;
ALTER TABLE notify_state ADD COLUMN last_email_at INTEGER;   -- drives --email-throttle
ALTER TABLE push_prefs RENAME TO notify_prefs;
ALTER TABLE notify_prefs ADD COLUMN email_when_no_push INTEGER;  -- NULL = the default (on)
CREATE TABLE notify_logbook_switch (
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  logbook_id  TEXT NOT NULL REFERENCES logbooks(id) ON DELETE CASCADE,
  enabled     INTEGER NOT NULL,
  changed_at  INTEGER NOT NULL,
  PRIMARY KEY (user_id, logbook_id)
);
INSERT INTO notify_logbook_switch (user_id, logbook_id, enabled, changed_at)
  SELECT user_id, logbook_id, 0, muted_at FROM notify_muted_logbooks;
DROP TABLE notify_muted_logbooks;
-- A member's email address (personal data: only its owner sees it; the account's deletion
-- removes it). It counts once verified_at is set. The verification token is kept only as its
-- SHA-256; the unsubscribe token turns email off without a session (RFC 8058 one-click).
CREATE TABLE email_addresses (
  user_id            TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  address            TEXT NOT NULL,
  locale             TEXT NOT NULL DEFAULT 'en',
  verified_at        INTEGER,
  verify_token_hash  TEXT UNIQUE,
  verify_expires_at  INTEGER,
  unsubscribe_token  TEXT NOT NULL UNIQUE,
  created_at         INTEGER NOT NULL
);
-- One row per email to send, written in the transaction that decides it and deleted once the
-- relay took it (or gave up for good): a crash between "due" and "sent" loses nothing. The
-- body is made at send time from kind and path (a verification link carries its token).
CREATE TABLE email_outbox (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind             TEXT NOT NULL CHECK (kind IN ('verify', 'changes', 'test')),
  path             TEXT NOT NULL,            -- where the link goes, on the origin
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  last_error       TEXT
);
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at);

-- step 11: the outbox's pick and the admin's broadcast. Each subscription keeps the host of
-- its push service (https://HOST[:PORT]/…), written with the row by a trigger, so the worker's
-- fairness by host needs no string work per job; the endpoint of a row never changes (the
-- upsert is on it). A broadcast is one row per `push broadcast`: its jobs are the outbox ids
-- first_job..last_job (one transaction), which is how its progress and the rate limit are read.
ALTER TABLE push_subscriptions ADD COLUMN host TEXT NOT NULL DEFAULT '';
UPDATE push_subscriptions SET host = substr(substr(endpoint, instr(endpoint, '//') + 2), 1,
  CASE WHEN instr(substr(endpoint, instr(endpoint, '//') + 2), '/') > 0
       THEN instr(substr(endpoint, instr(endpoint, '//') + 2), '/') - 1 ELSE 2048 END);
CREATE TRIGGER push_subscriptions_host AFTER INSERT ON push_subscriptions BEGIN
  UPDATE push_subscriptions SET host = substr(substr(NEW.endpoint, instr(NEW.endpoint, '//') + 2), 1,
    CASE WHEN instr(substr(NEW.endpoint, instr(NEW.endpoint, '//') + 2), '/') > 0
         THEN instr(substr(NEW.endpoint, instr(NEW.endpoint, '//') + 2), '/') - 1 ELSE 2048 END)
   WHERE rowid = NEW.rowid;
END;
CREATE TABLE push_broadcasts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  created_by  TEXT REFERENCES users(id) ON DELETE SET NULL,  -- NULL: from the CLI
  created_at  INTEGER NOT NULL,
  devices     INTEGER NOT NULL,
  first_job   INTEGER,
  last_job    INTEGER
);
CREATE INDEX push_broadcasts_created ON push_broadcasts(created_at);

-- step 12: a push device's language is any of API.md's eleven (LANG), not only de or en.
-- SQLite cannot change a CHECK in place, so the table is rebuilt: a new one takes the rows,
-- the old one is dropped and the new one takes its name. The outbox's REFERENCES name
-- push_subscriptions, so they point at the new table; its jobs are set aside while the old
-- table goes (dropping it would cascade to them) and put back with their ids.
CREATE TABLE push_subscriptions_step12 (
  id                  TEXT PRIMARY KEY,
  user_id             TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint            TEXT NOT NULL UNIQUE,
  p256dh              TEXT NOT NULL,
  auth                TEXT NOT NULL,
  expiration_time     INTEGER,
  locale              TEXT NOT NULL DEFAULT 'en'
                        CHECK (locale IN ('de', 'en', 'nl', 'da', 'sv', 'nb', 'fr', 'es', 'it', 'pl', 'hr')),
  vapid_public_key    TEXT,
  created_at          INTEGER NOT NULL,
  last_used_at        INTEGER,
  failures            INTEGER NOT NULL DEFAULT 0,
  permanent_failures  INTEGER NOT NULL DEFAULT 0,
  last_seen_at        INTEGER,
  failing_since       INTEGER,
  failing_reason      TEXT,
  host                TEXT NOT NULL DEFAULT ''
);
INSERT INTO push_subscriptions_step12 (id, user_id, endpoint, p256dh, auth, expiration_time, locale,
    vapid_public_key, created_at, last_used_at, failures, permanent_failures, last_seen_at, failing_since,
    failing_reason, host)
  SELECT id, user_id, endpoint, p256dh, auth, expiration_time, locale, vapid_public_key, created_at,
    last_used_at, failures, permanent_failures, last_seen_at, failing_since, failing_reason, host
  FROM push_subscriptions;
CREATE TEMP TABLE push_outbox_step12 AS SELECT * FROM push_outbox;
DROP TABLE push_subscriptions;
ALTER TABLE push_subscriptions_step12 RENAME TO push_subscriptions;
INSERT INTO push_outbox SELECT * FROM push_outbox_step12;
DROP TABLE push_outbox_step12;
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
CREATE INDEX push_subscriptions_user_used ON push_subscriptions(user_id, last_used_at);
-- The push service's host, written with each new row (step 11's trigger went with the old table).
CREATE TRIGGER push_subscriptions_host AFTER INSERT ON push_subscriptions BEGIN
  UPDATE push_subscriptions SET host = substr(substr(NEW.endpoint, instr(NEW.endpoint, '//') + 2), 1,
    CASE WHEN instr(substr(NEW.endpoint, instr(NEW.endpoint, '//') + 2), '/') > 0
         THEN instr(substr(NEW.endpoint, instr(NEW.endpoint, '//') + 2), '/') - 1 ELSE 2048 END)
   WHERE rowid = NEW.rowid;
END;
