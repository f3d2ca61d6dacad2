// Placeholder until the sync routes land.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../http/deps.ts';

export function syncRoutes(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
