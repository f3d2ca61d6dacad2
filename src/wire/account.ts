// The account wire: the signed-in user and their passkeys as answers show them
// (API.md "Auth"). Types only: passkey bodies are checked by the server's own schemas.
import type { IsoTime } from './fields.ts';

export interface User {
  id: string;
  username: string;
  isAdmin: boolean;
}

/** GET /api/auth/session (an addition to the contract): who is signed in, 200 either way. */
export interface SessionAnswer {
  user: User | null;
}

export interface PasskeyInfo {
  id: string;
  createdAt: IsoTime;
  lastUsedAt: IsoTime | null;
  /** How the authenticator can be reached ("internal", "usb", …), as it said at registration. */
  transports: string[];
}
