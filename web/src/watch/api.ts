// The watch plan's two routes (API.md, watches), beside the app's api.ts so that they share
// its request(), errors and offline handling.
import { request } from '../api.ts';
import type { WatchPlan } from '../../../src/wire/watches.ts';

export type { Watch, WatchPlan } from '../../../src/wire/watches.ts';

const enc = encodeURIComponent;

export const watchApi = {
  plan: (logbookId: string) => request<WatchPlan>('GET', `/api/logbooks/${enc(logbookId)}/watches`),
  save: (
    logbookId: string,
    plan: Omit<WatchPlan, 'watches'> & { watches: Array<Omit<WatchPlan['watches'][number], 'id'> & { id?: string }> },
  ) => request<WatchPlan>('PUT', `/api/logbooks/${enc(logbookId)}/watches`, plan),
};
