// `crewbell serve`: open the database, start the API, the PWA and the background work, and
// drain all of it on SIGTERM.
import type { Hono } from 'hono';
import type { Command } from './command.ts';
import { effectiveOrigin, serveConfig, serveFlags } from '../config.ts';
import { databasePath, openDatabase } from '../db.ts';
import { createApp } from '../http/app.ts';
import { listen } from '../http/server.ts';
import { systemClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { createCrewChangeSink } from '../notify/scheduler.ts';
import { deleteExpiredSessions } from '../auth/sessions.ts';
import type { AppDeps } from '../http/deps.ts';
import { VERSION } from '../version.ts';

/** Something that runs beside the HTTP server until SIGTERM. */
export interface BackgroundTask {
  name: string;
  stop(): Promise<void> | void;
}

function every(ms: number, fn: () => void): BackgroundTask & { name: string } {
  const timer = setInterval(fn, ms);
  timer.unref();
  return { name: 'interval', stop: () => clearInterval(timer) };
}

export const serveCommands: Command[] = [
  {
    name: 'serve',
    summary: 'run the crewbell server (API, PWA, push delivery)',
    flags: serveFlags,
    async run(args, io) {
      const config = serveConfig(args.values);
      const log = createLogger();
      const clock = systemClock;
      const db = openDatabase(databasePath(config.dataDir));
      const tasks: BackgroundTask[] = [];

      let app: Hono<any> | undefined;
      // The app needs the origin, which defaults to the real port: it is made right after listening.
      const server = await listen((req, env) => app!.fetch(req, env), config.host, config.port);
      const deps: AppDeps = {
        db,
        config: { ...config, origin: effectiveOrigin(config, server.port) },
        clock,
        log,
        notify: createCrewChangeSink(db, clock, { debounceMs: config.notifyDebounceMs, throttleMs: config.notifyThrottleMs }),
      };
      app = createApp(deps);
      tasks.push(every(3_600_000, () => deleteExpiredSessions(db, clock.now())));

      const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
      io.out(`crewbell ${VERSION} listening on http://${shownHost}:${server.port} (origin ${deps.config.origin}, data ${config.dataDir})`);

      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          log.info('stopping', { signal });
          resolve();
        };
        const onTerm = () => stop('SIGTERM');
        const onInt = () => stop('SIGINT');
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
      });
      await server.close();
      for (const task of tasks.reverse()) await task.stop();
      db.close();
      log.info('stopped');
      return 0;
    },
  },
];
