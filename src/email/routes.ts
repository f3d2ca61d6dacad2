// /api/account/email: the caller's address for notifications push can't deliver. Giving one
// mails a verification link; it counts once verified. Without --smtp-url every route but
// DELETE answers 409 email_not_configured (an address given before can always be removed).
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { AppError } from '../kit/errors.ts';
import { requireUser } from '../kit/middleware.ts';
import { jsonBody } from '../kit/validate.ts';
import { transaction } from '../db.ts';
import { localeFromAcceptLanguage } from '../push/messages.ts';
import { AccountEmailBody, VerifyEmailBody, type AccountEmail } from '../wire/notify.ts';
import { addressOf, deleteAddress, requestAddress, verifyAddress } from './addresses.ts';
import { dropPendingVerifications, queueEmail } from './outbox.ts';
import { emailLocale } from './texts.ts';

export const emailNotConfigured = () =>
  new AppError(409, 'email_not_configured', 'this server sends no email (it was started without --smtp-url)');

export function emailRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, clock } = deps;
  const app = new Hono<AppEnv>();
  const configured = () => {
    if (!deps.email.enabled) throw emailNotConfigured();
  };

  app.get('/account/email', (c) => {
    const { user } = requireUser(c);
    configured();
    const stored = addressOf(db, user.id);
    return c.json(
      (stored ? { email: stored.address, verified: stored.verified } : { email: null }) satisfies AccountEmail,
    );
  });

  app.put('/account/email', async (c) => {
    const { user } = requireUser(c);
    configured();
    const { email, locale: asked } = await jsonBody(c, AccountEmailBody);
    const locale = emailLocale(asked ?? localeFromAcceptLanguage(c.req.header('accept-language')));
    const now = clock.now();
    const result = transaction(db, () => {
      const r = requestAddress(db, user.id, email, locale, now);
      if ('token' in r) {
        dropPendingVerifications(db, user.id);
        queueEmail(db, user.id, 'verify', `/verify-email?token=${r.token}`, now);
      }
      return r;
    });
    if ('token' in result) deps.email.kick();
    return c.json({ email, verified: 'alreadyVerified' in result } satisfies AccountEmail, 202);
  });

  app.post('/account/email/verify', async (c) => {
    configured();
    const { token } = await jsonBody(c, VerifyEmailBody);
    const verified = verifyAddress(db, token, clock.now());
    if (!verified)
      throw new AppError(400, 'invalid_token', 'this link is unknown, used or expired: give the address again');
    return c.json({ email: verified.address, verified: true } satisfies AccountEmail);
  });

  app.delete('/account/email', (c) => {
    const { user } = requireUser(c);
    transaction(db, () => {
      deleteAddress(db, user.id);
      dropPendingVerifications(db, user.id);
    });
    return c.body(null, 204);
  });

  return app;
}
