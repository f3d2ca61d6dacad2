// A logbook's decrypted entries as passages, recomputed when a sync brings changes. Shared
// by the passages list, one passage and the print view.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { listEntries } from '../sync.ts';
import { useSyncState } from '../ui.tsx';
import { formatNumber } from '../i18n.ts';
import type { EntryData } from '../logbook/fields.ts';
import { splitPassages, type Passage, type VoyageEntry } from './passages.ts';

export function useVoyage(
  id: string,
  key: CryptoKey | null | undefined,
): { entries: VoyageEntry[] | undefined; passages: Passage[] } {
  const sync = useSyncState();
  const [entries, setEntries] = useState<VoyageEntry[] | undefined>(undefined);
  useEffect(() => {
    if (!key) return;
    performance.mark('crewbell:open-entries');
    void listEntries(id, key).then((rows) => {
      performance.measure('crewbell:open-entries', 'crewbell:open-entries');
      setEntries(
        rows
          .filter((r): r is typeof r & { data: EntryData } => r.data !== null)
          .map((r) => ({ id: r.entry.entityId, data: r.data })),
      );
    });
  }, [id, key, sync.revision]);
  // Timed for bench/voyage.bench.ts (a performance entry costs next to nothing).
  const passages = useMemo(() => {
    if (!entries) return [];
    const start = performance.now();
    const split = splitPassages(entries);
    performance.measure('crewbell:passages', { start, end: performance.now() });
    return split;
  }, [entries]);
  return { entries, passages };
}

/** "12.3" (English) or "12,3" (German, Dutch, Danish…): one decimal, no grouping, as a log writes it. */
export const fixed1 = (n: number) =>
  formatNumber(Math.round(n * 10) / 10, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
