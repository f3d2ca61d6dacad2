// The entries an export is made from: every entry cached on this device, decrypted in
// batches (the crypto runs off the main thread; the page pauses between batches), oldest
// first, with each one's barometer trend and distance run.
import { openJson } from '../crypto.ts';
import { cachedEntries, type CachedEntry } from '../sync.ts';
import { deriveAll, normalizeEntry, type Derived, type EntryData } from '../logbook/fields.ts';
import { CHUNK, yieldToUi } from './chunks.ts';

export interface ExportRow {
  entry: CachedEntry;
  data: EntryData;
  derived: Derived;
}

export async function openForExport(
  logbookId: string,
  key: CryptoKey,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<ExportRow[]> {
  const sealed = (await cachedEntries(logbookId)).filter((e) => !e.deleted && e.payload);
  const opened: Array<{ entry: CachedEntry; data: EntryData }> = [];
  for (let start = 0; start < sealed.length; start += CHUNK) {
    const batch = sealed.slice(start, start + CHUNK);
    const datas = await Promise.all(
      batch.map((e) => openJson(key, e.payload!, `${logbookId}/${e.entityId}`).then(normalizeEntry, () => null)),
    );
    batch.forEach((entry, i) => {
      const data = datas[i];
      if (data) opened.push({ entry, data });
    });
    onProgress(Math.min(sealed.length, start + CHUNK), sealed.length);
    await yieldToUi();
  }
  opened.sort((a, b) => a.data.time.localeCompare(b.data.time) || a.entry.updatedAt - b.entry.updatedAt);
  const derived = deriveAll(opened.map((o) => o.data));
  return opened.map((o, i) => ({ ...o, derived: derived[i]! }));
}

/** Hands a finished file to the browser as a download. */
export function download(filename: string, parts: BlobPart[], type: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
