// The admin's broadcast on the wire (/api/admin/push/broadcast): its size and progress.
import type { IsoTime } from './fields.ts';

export interface BroadcastInfo {
  id: number;
  createdAt: IsoTime;
  /** Devices it was queued for, one outbox job each. */
  devices: number;
  /** Jobs not answered for good yet (waiting, in flight or waiting for a retry). */
  remaining: number;
}
