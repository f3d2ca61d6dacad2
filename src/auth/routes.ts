// Placeholder until the auth routes land.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../http/deps.ts';

export function authRoutes(_deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>();
}
