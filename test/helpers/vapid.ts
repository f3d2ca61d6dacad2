// A fresh VAPID key pair for tests and benches that sign without a data dir: made by web-push
// (the independent reference), in the shape crewbell's signer takes it.
import webpush from 'web-push';
import { vapidPrivateKeyObject, type VapidKeys } from '../../src/push/vapid.ts';

export function freshVapidKeys(): VapidKeys {
  const keys = webpush.generateVAPIDKeys();
  return {
    publicKey: keys.publicKey,
    privateKey: vapidPrivateKeyObject(
      Buffer.from(keys.privateKey, 'base64url'),
      Buffer.from(keys.publicKey, 'base64url'),
    ),
  };
}
