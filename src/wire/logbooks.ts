// The logbooks and crew wire (API.md "Logbooks and crew"): request bodies the server
// validates and the answers the PWA reads. The PWA imports the types only.
import * as v from 'valibot';
import { Base64Url, Uuid, type IsoTime } from './fields.ts';
import { META_MAX_CHARS } from './limits.ts';

export type CrewRole = 'WRITE' | 'READ';
export type Role = 'OWNER' | CrewRole;

/** POST /api/logbooks */
export const NewLogbook = v.object({
  id: Uuid,
  meta: v.pipe(Base64Url(META_MAX_CHARS), v.minLength(1, 'must not be empty')),
});

/** POST /api/logbooks/:id/invites */
export const NewInvite = v.object({
  role: v.picklist(['WRITE', 'READ'], 'must be "WRITE" or "READ"'),
});

/** PATCH /api/logbooks/:id/members/:userId */
export const NewRole = NewInvite;

/** Invite ids: uuids, or 32 hex digits for invites made before ids existed. */
export const InviteId = v.pipe(v.string('must be a string'), v.regex(/^[0-9a-f-]{32,36}$/, 'is not an invite id'));

/** GET /api/logbooks/:id/invites: an open invite, never its token. */
export interface OpenInviteRow {
  id: string;
  role: CrewRole;
  createdAt: IsoTime;
  expiresAt: IsoTime;
}

export interface LogbookRow {
  id: string;
  ownerId: string;
  role: Role;
  /** base64url ciphertext made in the browser; opaque to the server. */
  meta: string;
  createdAt: IsoTime;
}

export interface Member {
  userId: string;
  username: string;
  role: Role;
}

/** GET /api/invites/:token, shown before the visitor has an account. */
export interface InviteInfo {
  logbookId: string;
  role: CrewRole;
  ownerName: string;
  expiresAt: IsoTime;
}

/** POST /api/logbooks/:id/invites */
export interface InviteMade {
  token: string;
  expiresAt: IsoTime;
}

/** POST /api/invites/:token/accept */
export interface InviteAccepted {
  logbookId: string;
  role: CrewRole;
}
