// `crewbell serve`: start the app (app/boot.ts), listen, and drain all of it on SIGTERM.
import { setFlagsFromString } from 'node:v8';
import type { Hono } from 'hono';
import type { Command } from './command.ts';
import { effectiveOrigin, serveConfig, serveFlags } from '../config.ts';
import { boot } from '../app/boot.ts';
import type { FastRead } from '../app/fast-reads.ts';
import { listen, type RunningServer } from '../app/server.ts';
import { systemClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { printFirstStartLink, watchForNoAccounts } from './first-start.ts';
import type { AppEnv } from '../kit/deps.ts';
import { VERSION } from '../version.ts';

/** Push deliveries in flight at once. */
const PUSH_CONCURRENCY = 32;

export const serveCommands: Command[] = [
  {
    name: 'serve',
    summary: 'run the crewbell server (API, PWA, push delivery)',
    flags: serveFlags,
    async run(args, io) {
      // A heap sized for a 512 MB Pi, however serve runs (from source, under Deno, the binary):
      // from here on the old generation grows by 10 % before its next collection, not by V8's
      // default factor, so a flood of requests for unknown 8 KB paths leaves no lasting growth
      // behind (test/e2e/attack-network.test.ts). Not before the code is loaded: that would mean a
      // collection every few megabytes (start-up took 40 to 120 ms longer). The young
      // generation is kept small by the node flag `--max-semi-space-size=1` (the binary's
      // execArgv, `make run`), which cannot be set from here. `--optimize-for-size` kept
      // memory as flat but doubled the CPU of a sync upload.
      const config = serveConfig(args.values);
      setFlagsFromString('--heap-growing-percent=10');
      const log = createLogger();
      const booted = boot({
        config,
        env: io.env,
        clock: systemClock,
        log,
        pushConcurrency: PUSH_CONCURRENCY,
        processMetrics: true,
      });

      let app: Hono<AppEnv> | undefined;
      let fast: FastRead | undefined;
      // The app needs the origin, which defaults to the real port: it is made right after listening.
      let server: RunningServer;
      try {
        server = await listen(
          (req, env) => app!.fetch(req, env),
          config.host,
          config.port,
          { stallMs: config.uploadStallMs, totalMs: config.uploadTimeoutMs },
          () => fast,
        );
      } catch (err) {
        await booted.stop();
        throw err;
      }
      const built = booted.app(effectiveOrigin(config, server.port));
      app = built.app;
      fast = built.fast;
      const origin = built.deps.config.origin;

      // The first-start link was made before the listening line, so whoever waits for that
      // line finds the old link dead.
      const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
      io.out(
        `crewbell ${VERSION} listening on http://${shownHost}:${server.port} (origin ${origin}, data ${config.dataDir})`,
      );
      if (booted.firstStart) await printFirstStartLink(io, origin, booted.firstStart.token);
      // The last account deleted while running: a new link, instead of a server nobody can enter.
      const firstStartWatch = watchForNoAccounts(booted.db, io, origin, () => systemClock.now());

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
      firstStartWatch.stop();
      await server.close();
      await booted.stop();
      log.info('stopped');
      return 0;
    },
  },
];
