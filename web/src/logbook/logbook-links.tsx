// The way from a logbook's timeline to what lies behind it: its passages, recently deleted
// entries, the on-device export (CSV, GPX, print) and, for those who write, a GPX import.
import { t } from '../i18n.ts';

export function LogbookLinks({ id, canWrite = false }: { id: string; canWrite?: boolean }) {
  return (
    <nav class="row wrap logbook-links">
      <a id="open-voyage" class="btn ghost small" href={`/logbook/${id}/voyage`}>
        {t('voyage')}
      </a>
      <a id="open-deleted" class="btn ghost small" href={`/logbook/${id}/deleted`}>
        {t('recentlyDeleted')}
      </a>
      <a id="open-export" class="btn ghost small" href={`/logbook/${id}/export`}>
        {t('exportTitle')}
      </a>
      {canWrite ? (
        <a id="open-gpx-import" class="btn ghost small" href={`/logbook/${id}/import`}>
          {t('gpxImport')}
        </a>
      ) : null}
    </nav>
  );
}
