// The logbook as CSV: one row per entry, every field, UTF-8 with a byte-order mark so that
// Excel reads umlauts, CRLF line ends and RFC 4180 quoting. Built piece by piece. German
// Excel splits on semicolons, so a German export uses them instead of commas.
import { FIELD_ORDER, fieldText, type FieldName } from '../logbook/fields.ts';
import { mapInChunks, yieldToUi } from './chunks.ts';
import type { ExportRow } from './entries.ts';

export const BOM = '\uFEFF';

/** Column titles in the user's language; `field` names a field of the entry. */
export interface CsvLabels {
  field: (name: FieldName) => string;
  entryId: string;
  version: string;
  baroTrend: string;
  distanceRun: string;
  author: string;
  editor: string;
  updatedAt: string;
}

/**
 * One cell: quoted when it holds a comma, quote or line break. A text starting with = + @
 * (or - without being a number) is a formula to a spreadsheet: a leading ' keeps it text.
 */
export function csvCell(value: string): string {
  let v = value;
  if (/^[=+@\t\r]/.test(v) || (/^-/.test(v) && !/^-\d+([.,]\d+)?$/.test(v))) v = `'${v}`;
  return /[",\r\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const num = (n: number | null) => (n === null ? '' : String(n));

/** The CSV as parts for a Blob (one per piece of rows), starting with the BOM and the header. */
export async function buildCsv(
  rows: readonly ExportRow[],
  labels: CsvLabels,
  nameOf: (userId: string | null | undefined) => string,
  delimiter: ',' | ';' = ',',
  pause: () => Promise<void> = yieldToUi,
): Promise<string[]> {
  const header = [
    labels.entryId,
    labels.version,
    ...FIELD_ORDER.map(labels.field),
    labels.baroTrend,
    labels.distanceRun,
    labels.author,
    labels.editor,
    labels.updatedAt,
  ];
  const lines = await mapInChunks(
    rows,
    ({ entry, data, derived }) =>
      `${[
        entry.entityId,
        String(entry.version),
        ...FIELD_ORDER.map((f) => fieldText(data, f)),
        num(derived.baroTrend),
        num(derived.distanceRun),
        entry.createdBy ? nameOf(entry.createdBy) : '',
        nameOf(entry.updatedBy),
        new Date(entry.updatedAt).toISOString(),
      ]
        .map(csvCell)
        .join(delimiter)}\r\n`,
    pause,
  );
  return [`${BOM + header.map(csvCell).join(delimiter)}\r\n`, ...lines];
}
