// One message to one device: encrypt it for the device just before sending, sign with the
// cached VAPID token, send. Shared by the outbox worker and `crewbell push test`.
import type { VapidSigner } from './authorization.ts';
import { encryptForDevice } from './encrypt.ts';
import type { SendOutcome, Transport, Urgency } from './transport.ts';

export interface Device {
  endpoint: string;
  /** base64url */
  p256dh: string;
  /** base64url */
  auth: string;
}

export interface SendOptions {
  ttlSeconds: number;
  urgency: Urgency;
  topic?: string | undefined;
  now: number;
}

export async function sendToDevice(
  transport: Transport,
  signer: VapidSigner,
  device: Device,
  payload: string,
  options: SendOptions,
): Promise<SendOutcome> {
  let body: Buffer;
  try {
    body = encryptForDevice(Buffer.from(payload), {
      p256dh: Buffer.from(device.p256dh, 'base64url'),
      auth: Buffer.from(device.auth, 'base64url'),
    });
  } catch (err) {
    return { kind: 'failed', reason: `cannot encrypt for this device: ${(err as Error).message}` };
  }
  return transport.send(
    {
      endpoint: device.endpoint,
      body,
      authorization: signer.authorization(device.endpoint),
      ttlSeconds: options.ttlSeconds,
      urgency: options.urgency,
      topic: options.topic,
    },
    options.now,
  );
}
