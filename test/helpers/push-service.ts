// A local Web Push service for tests (what FCM, Mozilla autopush or Apple run), on
// http://127.0.0.1 (start crewbell with --push-allow-insecure). For each POST it:
//   - checks the VAPID header `Authorization: vapid t=JWT, k=KEY` (RFC 8292): ES256
//     signature by k, aud = this service's origin, exp in the future and within 24 h,
//     sub a mailto: or https: contact; and k = the device's applicationServerKey if given;
//   - checks Content-Encoding aes128gcm, TTL, Urgency and Topic (≤ 32 base64url chars);
//   - decrypts the body with the device's private key using its OWN RFC 8291 code below
//     (HKDF via node:crypto hkdfSync; it shares nothing with src/push/encrypt.ts);
//   - records the message with its headers, then answers as planned for that device:
//     201 by default, or 404, 410, 413, 429 (+ Retry-After), 500, or 'hang' (never answers).
// A request that fails a check is answered 400/401/403 and kept in `rejected`.
//
// Usage:
//   const ps = await startPushService();
//   const phone = ps.createDevice();                 // browser-like subscription
//   await client.put('/api/push/subscription', phone.subscription);
//   ps.plan(phone, 429, 500);                        // next two answers, then 201 again
//   ps.plan(phone, { status: 429, retryAfter: '1' });
//   ps.plan(phone, { status: 201, delayMs: 500 });  // answers late (counts in hanging())
//   await ps.waitForDelivered(1, phone);             // bounded wait
//   ps.delivered(phone)[0].payload.data.changeCount;
//   await ps.close();
import http from 'node:http';
import {
  createECDH,
  createDecipheriv,
  createPublicKey,
  hkdfSync,
  randomBytes,
  randomUUID,
  verify,
  type ECDH,
} from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** A status, a status with Retry-After and/or a delay before answering, or 'hang' (never). */
export type PlannedAnswer = number | { status: number; retryAfter?: string; delayMs?: number } | 'hang';

export interface PushServiceDevice {
  id: string;
  endpoint: string;
  /** What PushSubscription.toJSON() gives a page (plus locale, as the PWA sends it). */
  subscription: {
    endpoint: string;
    expirationTime: null;
    keys: { p256dh: string; auth: string };
    locale?: 'de' | 'en';
  };
  /** The device's key pair and auth secret (what the browser keeps to itself). */
  ecdh: ECDH;
  authSecret: Buffer;
  /** If set, requests must be signed with this VAPID public key (like a real service). */
  applicationServerKey?: string | undefined;
}

export interface ReceivedMessage {
  deviceId: string;
  endpoint: string;
  headers: {
    ttl: string;
    urgency: string | undefined;
    topic: string | undefined;
    authorization: string;
    contentEncoding: string;
  };
  jwt: { aud: string; exp: number; sub: string };
  /** The decrypted body, parsed as JSON when it is JSON. */
  payload: any;
  text: string;
  /** The status answered ('hang' while hanging). */
  answer: number | 'hang';
  at: number;
}

export interface RejectedRequest {
  endpoint: string;
  status: number;
  reason: string;
}

export interface PushService {
  /** e.g. http://127.0.0.1:PORT (the JWT audience). */
  origin: string;
  createDevice(options?: { locale?: 'de' | 'en'; applicationServerKey?: string }): PushServiceDevice;
  /** Answers the device's next requests in this order, then 201 again. */
  plan(device: PushServiceDevice, ...answers: PlannedAnswer[]): void;
  /** Every verified request, whatever was answered. */
  readonly messages: ReceivedMessage[];
  /** Verified requests answered 2xx, optionally for one device. */
  delivered(device?: PushServiceDevice): ReceivedMessage[];
  readonly rejected: RejectedRequest[];
  /** Requests held open by a 'hang' answer right now. */
  hanging(): number;
  /** Bounded wait until `count` messages were delivered (to device, if given). */
  waitForDelivered(count: number, device?: PushServiceDevice, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

// ---- RFC 8291 decryption, written independently of the server's encryption ----

function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/** Decrypts an aes128gcm Web Push body for a device (RFC 8291 §3.4, RFC 8188 §2). */
export function decryptPushBody(body: Buffer, device: { ecdh: ECDH; authSecret: Buffer }): Buffer {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  if (idlen !== 65) throw new Error(`keyid is ${idlen} bytes, expected the 65-byte sender key`);
  const senderPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (records.length > rs) throw new Error('more than one record: push messages are a single record');
  const receiverPublic = device.ecdh.getPublicKey();
  const ecdhSecret = device.ecdh.computeSecret(senderPublic);
  const ikm = hkdf(
    device.authSecret,
    ecdhSecret,
    Buffer.concat([Buffer.from('WebPush: info\0'), receiverPublic, senderPublic]),
    32,
  );
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 2) throw new Error('missing the last-record delimiter 0x02');
  return padded.subarray(0, end);
}

// ---- VAPID (RFC 8292) verification ----

function verifyVapid(
  header: string | undefined,
  origin: string,
  now: number,
  expectedKey: string | undefined,
): { jwt: ReceivedMessage['jwt'] } | { error: string; status: number } {
  const m = /^vapid\s+t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*,\s*k=([A-Za-z0-9_-]+)\s*$/.exec(
    header ?? '',
  );
  if (!m) return { error: 'missing or malformed "Authorization: vapid t=…, k=…"', status: 401 };
  const [token, key] = [m[1]!, m[2]!];
  const [h, p, s] = token.split('.') as [string, string, string];
  let jwtHeader: { alg?: string; typ?: string };
  let claims: { aud?: string; exp?: number; sub?: string };
  try {
    jwtHeader = JSON.parse(Buffer.from(h, 'base64url').toString());
    claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  } catch {
    return { error: 'JWT is not JSON', status: 401 };
  }
  if (jwtHeader.alg !== 'ES256') return { error: `JWT alg is ${jwtHeader.alg}, expected ES256`, status: 401 };
  const point = Buffer.from(key, 'base64url');
  if (point.length !== 65 || point[0] !== 4) return { error: 'k is not a 65-byte P-256 point', status: 401 };
  const publicKey = createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!signed) return { error: 'JWT signature does not verify with k', status: 401 };
  if (claims.aud !== origin) return { error: `JWT aud is ${claims.aud}, expected ${origin}`, status: 401 };
  const nowS = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= nowS) return { error: 'JWT has expired', status: 401 };
  if (claims.exp > nowS + 24 * 3600) return { error: 'JWT exp is more than 24 h ahead', status: 401 };
  if (
    typeof claims.sub !== 'string' ||
    !(/^mailto:[^@\s]+@[^@\s]+$/.test(claims.sub) || /^https:\/\/\S+$/.test(claims.sub))
  ) {
    return { error: `JWT sub "${claims.sub}" is not mailto: or https:`, status: 401 };
  }
  if (/@localhost\b/i.test(claims.sub)) return { error: 'BadJwtToken: sub is @localhost', status: 403 };
  if (expectedKey && key !== expectedKey)
    return { error: 'k is not the applicationServerKey the device subscribed with', status: 403 };
  return { jwt: { aud: claims.aud, exp: claims.exp, sub: claims.sub } };
}

export async function startPushService(): Promise<PushService> {
  const devices = new Map<string, PushServiceDevice>();
  const plans = new Map<string, PlannedAnswer[]>();
  const messages: ReceivedMessage[] = [];
  const rejected: RejectedRequest[] = [];
  const held = new Set<http.ServerResponse>();
  let origin = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 8192) chunks.push(c);
    });
    req.on('end', () => {
      const endpoint = origin + (req.url ?? '');
      const reject = (status: number, reason: string) => {
        rejected.push({ endpoint, status, reason });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
      };
      const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
      const device = id ? devices.get(id) : undefined;
      if (req.method !== 'POST' || !device) return reject(404, 'no such subscription');
      const auth = verifyVapid(req.headers.authorization, origin, Date.now(), device.applicationServerKey);
      if ('error' in auth) return reject(auth.status, auth.error);
      if (req.headers['content-encoding'] !== 'aes128gcm') return reject(400, 'Content-Encoding must be aes128gcm');
      const ttl = req.headers.ttl;
      if (typeof ttl !== 'string' || !/^\d+$/.test(ttl)) return reject(400, 'TTL header missing');
      const topic = req.headers.topic as string | undefined;
      if (topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(topic))
        return reject(400, 'Topic must be at most 32 base64url characters');
      if (size > 4096) return reject(413, 'payload larger than 4096 bytes');
      let text: string;
      try {
        text = decryptPushBody(Buffer.concat(chunks), device).toString('utf8');
      } catch (err) {
        return reject(400, `cannot decrypt: ${(err as Error).message}`);
      }
      let payload: unknown = text;
      try {
        payload = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      const plan = plans.get(device.id);
      const next: PlannedAnswer = plan?.shift() ?? 201;
      const message: ReceivedMessage = {
        deviceId: device.id,
        endpoint,
        headers: {
          ttl,
          urgency: req.headers.urgency as string | undefined,
          topic,
          authorization: req.headers.authorization!,
          contentEncoding: 'aes128gcm',
        },
        jwt: auth.jwt,
        payload,
        text,
        answer: next === 'hang' ? 'hang' : typeof next === 'number' ? next : next.status,
        at: Date.now(),
      };
      messages.push(message);
      if (next === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      const status = typeof next === 'number' ? next : next.status;
      const headers: Record<string, string> = {};
      if (typeof next === 'object' && next.retryAfter !== undefined) headers['retry-after'] = next.retryAfter;
      if (status === 201) headers.location = `${origin}/message/${randomUUID()}`;
      const delay = typeof next === 'object' ? (next.delayMs ?? 0) : 0;
      if (delay > 0) {
        held.add(res);
        const timer = setTimeout(() => {
          held.delete(res);
          res.writeHead(status, headers).end();
        }, delay);
        res.on('close', () => {
          clearTimeout(timer);
          held.delete(res);
        });
        return;
      }
      res.writeHead(status, headers).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const delivered = (device?: PushServiceDevice) =>
    messages.filter(
      (m) => typeof m.answer === 'number' && m.answer >= 200 && m.answer < 300 && (!device || m.deviceId === device.id),
    );

  return {
    origin,
    messages,
    rejected,
    createDevice(options = {}) {
      const id = randomUUID();
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = randomBytes(16);
      const endpoint = `${origin}/push/${id}`;
      const device: PushServiceDevice = {
        id,
        endpoint,
        ecdh,
        authSecret,
        applicationServerKey: options.applicationServerKey,
        subscription: {
          endpoint,
          expirationTime: null,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') },
          ...(options.locale ? { locale: options.locale } : {}),
        },
      };
      devices.set(id, device);
      return device;
    },
    plan(device, ...answers) {
      plans.set(device.id, [...(plans.get(device.id) ?? []), ...answers]);
    },
    delivered,
    hanging: () => held.size,
    async waitForDelivered(count, device, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const got = delivered(device);
        if (got.length >= count) return got;
        if (Date.now() > end) {
          const answers = messages.filter((m) => !device || m.deviceId === device.id).map((m) => m.answer);
          throw new Error(
            `push service: ${got.length} of ${count} messages delivered after ${timeoutMs} ms (answered: ${JSON.stringify(answers)}; rejected: ${JSON.stringify(rejected)})`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
