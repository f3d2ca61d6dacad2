// Runs an export in the export worker when the page has one (its address is in index.html),
// else on the page itself, piece by piece. Either way the answer is the file's parts.
import { PAGE_PACE, type Pace } from './chunks.ts';
import { buildCsv, type CsvLabels } from './csv.ts';
import { openForExport } from './entries.ts';
import { buildGpx } from './gpx.ts';
import type { FieldName } from '../logbook/fields.ts';

export interface ExportRequest {
  kind: 'csv' | 'gpx';
  logbookId: string;
  key: CryptoKey;
  labels: Omit<CsvLabels, 'field'>;
  fieldLabels: Record<FieldName, string>;
  /** User id → name, for the author columns; a file leaves the device, so never "you". */
  names: Record<string, string>;
  someone: string;
  formerCrew: string;
  delimiter: ',' | ';';
  trackName: string;
}

export type ExportReply =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; file: Blob; count: number }
  | { type: 'error'; message: string };

export interface ExportFile {
  file: Blob;
  count: number;
}

const TYPES = { csv: 'text/csv;charset=utf-8', gpx: 'application/gpx+xml' };

/** Makes the file where it is called: in the worker, or on the page (pausing between pieces). */
export async function makeExport(
  request: ExportRequest,
  onProgress: (done: number, total: number) => void,
  pace: Pace = PAGE_PACE,
): Promise<ExportFile> {
  const rows = await openForExport(request.logbookId, request.key, onProgress, pace);
  const nameOf = (id: string | null | undefined) => (id ? (request.names[id] ?? request.formerCrew) : request.someone);
  const parts =
    request.kind === 'csv'
      ? await buildCsv(
          rows,
          { ...request.labels, field: (f) => request.fieldLabels[f] ?? f },
          nameOf,
          request.delimiter,
          pace.pause,
        )
      : await buildGpx(rows, request.trackName, pace.pause);
  // One Blob: it crosses from the worker by reference, where 10,000 strings would be copied one by one.
  return { file: new Blob(parts, { type: TYPES[request.kind] }), count: rows.length };
}

function workerUrl(): string | undefined {
  if (typeof Worker === 'undefined') return undefined;
  return document.querySelector<HTMLMetaElement>('meta[name="crewbell-export-worker"]')?.content || undefined;
}

export function runExport(
  request: ExportRequest,
  onProgress: (done: number, total: number) => void,
): Promise<ExportFile> {
  const url = workerUrl();
  if (!url) return makeExport(request, onProgress);
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(url, { type: 'module' });
    } catch {
      resolve(makeExport(request, onProgress));
      return;
    }
    let started = false;
    worker.onmessage = (event: MessageEvent<ExportReply>) => {
      const reply = event.data;
      started = true;
      if (reply.type === 'progress') return onProgress(reply.done, reply.total);
      worker.terminate();
      if (reply.type === 'done') resolve({ file: reply.file, count: reply.count });
      else reject(new Error(reply.message));
    };
    // A browser without module workers fails to load it: do the work on the page instead.
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      if (started) reject(new Error(event.message || 'export failed'));
      else resolve(makeExport(request, onProgress));
    };
    worker.postMessage(request);
  });
}
