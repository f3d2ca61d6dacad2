// The way from a logbook's timeline to what lies behind it: recently deleted entries and
// the on-device export (CSV, GPX, print).
import { t } from '../i18n.ts';

export function LogbookLinks({ id }: { id: string }) {
  return (
    <nav class="row wrap logbook-links">
      <a id="open-deleted" class="btn ghost small" href={`/logbook/${id}/deleted`}>
        {t('recentlyDeleted')}
      </a>
      <a id="open-export" class="btn ghost small" href={`/logbook/${id}/export`}>
        {t('exportTitle')}
      </a>
    </nav>
  );
}
