// Placeholder until the logbooks routes land.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../http/deps.ts';

export function logbookRoutes(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
