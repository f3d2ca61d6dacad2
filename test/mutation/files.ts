// The core files `make mutate` mutates, one Stryker run each, and the fast tests (unit and
// api tier) each is run against: the files that exercise it, not the whole suite.
export interface MutatedFile {
  /** Short name: `make mutate FILES="store bodies"` runs only these. */
  name: string;
  /** The source file Stryker mutates. */
  mutate: string;
  /** The test files the command runner runs for each mutant. */
  tests: string[];
}

/**
 * How each mutant's tests run: one file at a time, a test left waiting failed after testTimeoutMs,
 * the process ended once its tests are done (whatever a cancelled test left open).
 */
export function nodeTestArgs(tests: string[], testTimeoutMs: number): string[] {
  return [
    '--test',
    '--test-concurrency=1',
    `--test-timeout=${testTimeoutMs}`,
    '--test-force-exit',
    '--test-reporter=dot',
    ...tests,
  ];
}

export const MUTATED_FILES: MutatedFile[] = [
  {
    name: 'transport',
    mutate: 'src/push/transport.ts',
    tests: [
      'test/unit/push-transport.test.ts',
      'test/unit/push-transport-answers.test.ts',
      'test/unit/push-worker.test.ts',
    ],
  },
  {
    // How an answer is sorted (delivered, gone, refused, transient), moved out of transport.ts.
    name: 'outcome',
    mutate: 'src/push/outcome.ts',
    tests: ['test/unit/push-classify.test.ts', 'test/unit/push-transport.test.ts'],
  },
  {
    name: 'due-board',
    mutate: 'src/push/due-board.ts',
    tests: ['test/unit/due-board.test.ts', 'test/unit/outbox-pick.test.ts'],
  },
  {
    name: 'worker',
    mutate: 'src/push/worker.ts',
    tests: [
      'test/unit/push-worker.test.ts',
      'test/unit/push-worker-records.test.ts',
      'test/unit/push-worker-lifecycle.test.ts',
      'test/unit/push-worker-pump.test.ts',
      'test/unit/outbox-pick.test.ts',
    ],
  },
  {
    name: 'outbox',
    mutate: 'src/push/outbox.ts',
    tests: ['test/unit/outbox.test.ts', 'test/unit/push-expiry.test.ts', 'test/unit/push-worker.test.ts'],
  },
  { name: 'encrypt', mutate: 'src/push/encrypt.ts', tests: ['test/unit/push-crypto.test.ts'] },
  {
    name: 'scheduler',
    mutate: 'src/notify/scheduler.ts',
    tests: [
      'test/unit/notify-scheduler.test.ts',
      'test/unit/notify-scheduler-details.test.ts',
      'test/unit/notify-quiet-hours.test.ts',
      'test/unit/notify-fallback.test.ts',
    ],
  },
  {
    // The one timer on the earliest due time (createDueTimer) the scheduler and the watch bell run on.
    name: 'clock',
    mutate: 'src/clock.ts',
    tests: [
      'test/unit/clock.test.ts',
      'test/unit/notify-scheduler.test.ts',
      'test/unit/notify-scheduler-details.test.ts',
      'test/unit/watch-bell.test.ts',
    ],
  },
  {
    name: 'quiet-hours',
    mutate: 'src/notify/quiet-hours.ts',
    tests: ['test/unit/quiet-hours.test.ts', 'test/unit/notify-quiet-hours.test.ts'],
  },
  {
    // Notification preferences per user (account switch, quiet hours, email when no push). The
    // api tests (notify-api, members-notify) are left out: a mutant they catch fails them only
    // after their wait for a push, a Timeout instead of Killed; the unit tests catch them all.
    name: 'prefs',
    mutate: 'src/notify/prefs.ts',
    tests: [
      'test/unit/notify-quiet-hours.test.ts',
      'test/unit/schema-members.test.ts',
      'test/unit/notify-fallback.test.ts',
      'test/unit/notify-scheduler.test.ts',
    ],
  },
  {
    // Per-logbook notifications for one member, and who a change reaches.
    name: 'mutes',
    mutate: 'src/notify/mutes.ts',
    tests: [
      'test/unit/schema-members.test.ts',
      'test/unit/notify-fallback.test.ts',
      'test/unit/notify-scheduler.test.ts',
      'test/unit/notify-scheduler-details.test.ts',
    ],
  },
  { name: 'fallback', mutate: 'src/notify/fallback.ts', tests: ['test/unit/notify-fallback.test.ts'] },
  { name: 'writers', mutate: 'src/notify/writers.ts', tests: ['test/unit/notify-scheduler-details.test.ts'] },
  {
    name: 'store',
    mutate: 'src/sync/store.ts',
    tests: ['test/unit/sync-store.test.ts', 'test/api/sync.test.ts', 'test/api/sync-quota.test.ts'],
  },
  {
    name: 'history',
    mutate: 'src/sync/history.ts',
    tests: ['test/unit/sync-history.test.ts', 'test/api/logbook-history.test.ts'],
  },
  { name: 'group-commit', mutate: 'src/group-commit.ts', tests: ['test/unit/group-commit.test.ts'] },
  {
    name: 'sessions',
    mutate: 'src/auth/sessions.ts',
    tests: ['test/unit/sessions.test.ts', 'test/api/sessions.test.ts'],
  },
  {
    name: 'bodies',
    mutate: 'src/kit/bodies.ts',
    tests: ['test/unit/bodies.test.ts', 'test/unit/bodies-node-read.test.ts', 'test/unit/body-slots.test.ts'],
  },
  { name: 'client-address', mutate: 'src/kit/client-address.ts', tests: ['test/unit/client-address.test.ts'] },
  // The email after a push no device took (the every-member work's email, second half).
  { name: 'undelivered', mutate: 'src/notify/undelivered.ts', tests: ['test/unit/notify-undelivered.test.ts'] },
];
