// The entries an export is made from: every entry cached on this device, read and decrypted
// a page at a time (the crypto runs off the main thread; the page pauses between pages),
// oldest first, with each one's barometer trend and distance run.
import { openJson } from '../crypto.ts';
import type { CachedEntry } from '../sync.ts';
import { byText, deriveAll, normalizeEntry, type Derived, type EntryData } from '../logbook/fields.ts';
import { PAGE_PACE, type Pace } from './chunks.ts';
import { countEntries, readEntryPage, type EntryPage } from './read.ts';

export interface ExportRow {
  entry: CachedEntry;
  data: EntryData;
  derived: Derived;
}

export async function openForExport(
  logbookId: string,
  key: CryptoKey,
  onProgress: (done: number, total: number) => void = () => undefined,
  pace: Pace = PAGE_PACE,
): Promise<ExportRow[]> {
  const opened: Array<{ entry: CachedEntry; data: EntryData }> = [];
  const total = await countEntries(logbookId);
  let seen = 0;
  // Reading the next page overlaps with opening this one.
  let reading: Promise<EntryPage> | undefined = readEntryPage(logbookId, undefined, pace.pageSize);
  while (reading) {
    const page: EntryPage = await reading;
    reading = page.next === undefined ? undefined : readEntryPage(logbookId, page.next, pace.pageSize);
    const batch = page.entries.filter((e) => !e.deleted && e.payload);
    const datas = await Promise.all(
      batch.map((e) => openJson(key, e.payload!, `${logbookId}/${e.entityId}`).then(normalizeEntry, () => null)),
    );
    batch.forEach((entry, i) => {
      const data = datas[i];
      if (data) opened.push({ entry, data });
    });
    seen += page.entries.length;
    onProgress(Math.min(seen, total), total);
    await pace.pause();
  }
  opened.sort((a, b) => byText(a.data.time, b.data.time) || a.entry.updatedAt - b.entry.updatedAt);
  const derived = deriveAll(opened.map((o) => o.data));
  return opened.map((o, i) => ({ ...o, derived: derived[i]! }));
}

/** Hands a finished file to the browser as a download. */
export function download(filename: string, file: Blob): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
