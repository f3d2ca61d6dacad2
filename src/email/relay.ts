// The SMTP relay through nodemailer: one transport per server (a pooled connection, STARTTLS
// when the relay offers it, AUTH from the URL), sending one composed email at a time, and a
// check for `doctor` that connects and says EHLO (and AUTH) without sending anything.
import type { Transporter } from 'nodemailer';
import type { ComposedEmail } from './compose.ts';

export interface RelayOptions {
  /** `smtp://user:pass@host:587` or `smtps://user:pass@host:465`; query options as nodemailer reads them. */
  smtpUrl: string;
  /** The From of every email. */
  from: string;
  /** Connecting, the greeting and each step of the dialogue, each at most this long. */
  timeoutMs: number;
}

export interface Relay {
  send(to: string, email: ComposedEmail): Promise<void>;
  /** Connects, EHLO (and AUTH when the URL has a user); sends nothing. */
  verify(): Promise<void>;
  close(): void;
}

/** What a relay answered, for logs and the outbox's last_error (never the address or the text). */
export function relayError(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const parts = [e.code, e.responseCode ? String(e.responseCode) : undefined, e.response ?? e.message];
  return parts.filter(Boolean).join(' ').slice(0, 200) || 'unknown error';
}

export function createRelay(options: RelayOptions): Relay {
  // nodemailer costs about 100 ms to load: only a server (or command) that sends email pays it,
  // at its first email (build.ts lists it among the lazy packages for the binary).
  let transport: Promise<Transporter> | undefined;
  const ready = () =>
    (transport ??= import('nodemailer').then((m) =>
      m.default.createTransport(
        // Timeouts first: a timeout the URL sets wins, as any other option in it.
        {
          url: options.smtpUrl,
          connectionTimeout: options.timeoutMs,
          greetingTimeout: options.timeoutMs,
          socketTimeout: options.timeoutMs,
        },
        { from: options.from },
      ),
    ));
  return {
    async send(to, email) {
      await (await ready()).sendMail({
        to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: email.headers,
      });
    },
    async verify() {
      await (await ready()).verify();
    },
    close() {
      transport?.then((t) => t.close()).catch(() => undefined);
    },
  };
}
