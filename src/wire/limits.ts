// The contract's limits as plain numbers, so the PWA can keep to them without bundling
// the schemas (and valibot) that enforce them on the server.

/** API.md: at most 500 items per upload. */
export const UPLOAD_MAX_ITEMS = 500;
/** API.md: an upload body (POST /api/sync/push) is at most 4 MiB. */
export const UPLOAD_BODY_MAX_BYTES = 4 * 1024 * 1024;
/** Largest entry ciphertext, in base64url characters. */
export const PAYLOAD_MAX_CHARS = 65536;
/** Largest logbook meta (encrypted title and settings), in base64url characters. */
export const META_MAX_CHARS = 8192;
