// One email as the relay gets it: subject, plain text and HTML in the recipient's language,
// the link on the origin, and for notifications the RFC 8058 one-click List-Unsubscribe.
import { EMAIL_TEXTS, type EmailLocale } from './texts.ts';

export type EmailKind = 'verify' | 'changes' | 'test';

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function html(lang: EmailLocale, paragraphs: string[], link: { href: string; label: string }, footer?: string): string {
  const p = paragraphs.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>crewbell</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5">
${p}
<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>
${footer ?? ''}</body></html>
`;
}

/**
 * `path` is on `origin` (a logbook, the settings, the verification page); `unsubscribeUrl`
 * is the one-click link of the recipient (notifications and tests carry it, verification not).
 */
export function composeEmail(
  kind: EmailKind,
  locale: EmailLocale,
  origin: string,
  path: string,
  unsubscribeUrl: string | undefined,
): ComposedEmail {
  // A language without email texts yet is written (and marked) in English.
  if (!EMAIL_TEXTS[locale]) locale = 'en';
  const t = EMAIL_TEXTS[locale] ?? EMAIL_TEXTS.en;
  const href = `${origin}${path}`;
  const headers: Record<string, string> = {};
  let footerText = '';
  let footerHtml: string | undefined;
  if (unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    footerText = `\n\n-- \n${t.why}\n${t.unsubscribe}: ${unsubscribeUrl}\n`;
    footerHtml = `<hr><p style="color:#666;font-size:small">${escapeHtml(t.why)}<br><a href="${escapeHtml(unsubscribeUrl)}">${escapeHtml(t.unsubscribe)}</a></p>\n`;
  }
  if (kind === 'verify') {
    return {
      subject: t.verifySubject,
      text: `${t.verifyBody}\n\n${t.verifyLink}: ${href}\n\n${t.verifyIgnore}\n`,
      html: html(locale, [t.verifyBody], { href, label: t.verifyLink }, `<p>${escapeHtml(t.verifyIgnore)}</p>\n`),
      headers,
    };
  }
  if (kind === 'test') {
    return {
      subject: t.testSubject,
      text: `${t.testBody}\n\n${href}${footerText}`,
      html: html(locale, [t.testBody], { href, label: 'crewbell' }, footerHtml),
      headers,
    };
  }
  return {
    subject: t.changesSubject,
    text: `${t.changesBody}\n\n${t.changesLink}: ${href}${footerText}`,
    html: html(locale, [t.changesBody], { href, label: t.changesLink }, footerHtml),
    headers,
  };
}
