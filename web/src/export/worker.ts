// The export's heavy part in a worker: reading the entries from IndexedDB, decrypting them
// and writing the file's lines happen off the page's main thread, which stays free for taps.
// The page hands over the logbook key (a CryptoKey clones into a worker) and the texts.
import { WORKER_PACE } from './chunks.ts';
import { makeExport, type ExportRequest, type ExportReply } from './run.ts';

const post = (reply: ExportReply) => (self as unknown as { postMessage(m: ExportReply): void }).postMessage(reply);

self.addEventListener('message', (event: Event) => {
  const request = (event as MessageEvent<ExportRequest>).data;
  void (async () => {
    try {
      const { file, count } = await makeExport(
        request,
        (done, total) => post({ type: 'progress', done, total }),
        WORKER_PACE,
      );
      post({ type: 'done', file, count });
    } catch (error) {
      post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
