// Every member's switch on a logbook's screen: whether changes by others in this logbook notify
// them (the owner starts with it on, crew off). Muted, they are dropped (not saved up); the
// account switch in Settings still covers all.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { t } from '../i18n.ts';
import { errorText, Notice } from '../ui.tsx';

export function LogbookMute({ id }: { id: string }) {
  const [enabled, setEnabled] = useState<boolean | undefined>(undefined);
  const [accountOn, setAccountOn] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    api.logbookNotifications(id).then(
      (r) => setEnabled(r.enabled),
      () => undefined,
    );
    api.prefs().then(
      (p) => setAccountOn(p.collaboratorChangesEnabled),
      () => undefined,
    );
  }, [id]);
  // Offline or not reachable: no switch rather than a wrong one.
  if (enabled === undefined) return null;
  return (
    <div class="card stack" id="logbook-notify-card" data-enabled={enabled ? 'yes' : 'no'}>
      <label class="toggle">
        <span>
          {t('muteSwitch')}
          <small class="muted block">{t('muteHint')}</small>
        </span>
        <input
          id="logbook-notify"
          type="checkbox"
          role="switch"
          checked={enabled}
          disabled={busy}
          onChange={async () => {
            setBusy(true);
            setError('');
            try {
              setEnabled((await api.setLogbookNotifications(id, !enabled)).enabled);
            } catch (e) {
              setError(errorText(e));
            } finally {
              setBusy(false);
            }
          }}
        />
        <span class="switch" aria-hidden="true" />
      </label>
      {!accountOn ? <p class="muted small">{t('muteAccountOff')}</p> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  );
}
