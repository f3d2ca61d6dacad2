// The one-click unsubscribe link of every notification email (RFC 8058): a mail client POSTs
// `List-Unsubscribe=One-Click` to it with no session and no Origin, so the app mounts the POST
// ahead of the CSRF guard; the token alone (32 random bytes, per address) says whose email to
// turn off. A GET (someone clicking the link in the text) shows a button that does the same.
import type { Context } from 'hono';
import type { AppDeps } from '../kit/deps.ts';
import { userOfUnsubscribeToken } from '../email/addresses.ts';
import { updateNotifyPrefs } from './prefs.ts';

export const UNSUBSCRIBE_PATH = '/api/email/unsubscribe';

const page = (body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>crewbell</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem">${body}</body></html>
`;

const tokenOf = (c: Context) => (c.req.query('token') ?? '').slice(0, 100);

/** POST: turns the address's email off. 200 when done, 404 for a token that belongs to no address. */
export function oneClickUnsubscribe(deps: AppDeps) {
  return (c: Context) => {
    const userId = userOfUnsubscribeToken(deps.db, tokenOf(c));
    if (!userId) return c.html(page('<p>This link is no longer valid. / Dieser Link gilt nicht mehr.</p>'), 404);
    updateNotifyPrefs(deps.db, userId, { emailWhenNoPush: false }, deps.clock.now());
    deps.log.info('email turned off by its one-click link');
    return c.html(
      page(
        '<p id="unsubscribed">No more emails from crewbell. / Keine E-Mails mehr von crewbell.</p><p>Settings → Notifications turns them on again. / Einstellungen → Benachrichtigungen schaltet sie wieder ein.</p>',
      ),
    );
  };
}

/** GET: a page with a button that POSTs the one-click form (link scanners only GET). */
export function unsubscribePage(deps: AppDeps) {
  return (c: Context) => {
    const token = tokenOf(c);
    if (!userOfUnsubscribeToken(deps.db, token))
      return c.html(page('<p>This link is no longer valid. / Dieser Link gilt nicht mehr.</p>'), 404);
    const action = `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`;
    return c.html(
      page(
        `<form method="post" action="${action.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><p>Stop crewbell's emails? / Keine E-Mails mehr von crewbell?</p><button type="submit">No more emails / Keine E-Mails mehr</button></form>`,
      ),
    );
  };
}
