// The quiet-hours editor: from, to and the time zone they are meant in (the device's zone
// unless the skipper picks another, e.g. home port time while abroad).
import { useState } from 'preact/hooks';
import { api, type PushPrefs } from '../api.ts';
import { lang, t } from '../i18n.ts';
import { ActionButton, errorText, Notice } from '../ui.tsx';

function deviceZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function zones(): string[] {
  try {
    return (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/** The zone's name in words ("Central European Standard Time"), or '' for no known zone. */
function zoneName(zone: string): string {
  try {
    const parts = new Intl.DateTimeFormat(lang() === 'de' ? 'de-DE' : 'en-GB', {
      timeZone: zone,
      timeZoneName: 'long',
    }).formatToParts(new Date());
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

export function QuietHoursEditor(props: { prefs: PushPrefs; onSaved: (prefs: PushPrefs) => void }) {
  const saved = props.prefs.quietHours;
  const [on, setOn] = useState(!!saved);
  const [from, setFrom] = useState(saved?.from ?? '22:00');
  const [to, setTo] = useState(saved?.to ?? '07:00');
  const [zone, setZone] = useState(saved?.timeZone ?? deviceZone());
  const [note, setNote] = useState('');
  const [error, setError] = useState('');

  const store = async (quietHours: PushPrefs['quietHours']) => {
    setError('');
    const next = await api.setPrefs({ quietHours });
    props.onSaved(next);
    setNote(
      next.quietHours
        ? t('quietSaved', { from: next.quietHours.from, to: next.quietHours.to, zone: next.quietHours.timeZone })
        : t('quietOff'),
    );
  };
  return (
    <div class="stack" id="quiet-hours" data-quiet={saved ? `${saved.from}-${saved.to} ${saved.timeZone}` : 'off'}>
      <label class="toggle">
        <span>
          {t('quietTitle')}
          <small class="muted block">{t('quietHint')}</small>
        </span>
        <input
          id="quiet-on"
          type="checkbox"
          role="switch"
          checked={on}
          onChange={(e) => {
            const next = (e.currentTarget as HTMLInputElement).checked;
            setOn(next);
            setNote('');
            // Turning them off needs no more input: it is saved at once.
            if (!next && saved) store(null).catch((err) => setError(errorText(err)));
          }}
        />
        <span class="switch" aria-hidden="true" />
      </label>
      {on ? (
        <>
          <div class="row">
            <label class="field grow">
              <span>{t('quietFrom')}</span>
              <input
                id="quiet-from"
                type="time"
                required
                value={from}
                onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)}
              />
            </label>
            <label class="field grow">
              <span>{t('quietTo')}</span>
              <input
                id="quiet-to"
                type="time"
                required
                value={to}
                onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)}
              />
            </label>
          </div>
          {/* The zone on a row of its own, wide enough for its whole name (America/Argentina/Buenos_Aires). */}
          <label class="field">
            <span>{t('quietZone')}</span>
            <input
              id="quiet-zone"
              list="time-zones"
              maxLength={64}
              autoComplete="off"
              spellcheck={false}
              value={zone}
              onInput={(e) => setZone((e.currentTarget as HTMLInputElement).value.trim())}
            />
            <small class="muted" id="quiet-zone-name">
              {zoneName(zone)}
            </small>
          </label>
          <datalist id="time-zones">
            {zones().map((z) => (
              <option value={z} />
            ))}
          </datalist>
          <ActionButton
            id="quiet-save"
            class="ghost"
            onClick={() => store({ from, to, timeZone: zone })}
            onError={(e) => setError(errorText(e))}
          >
            {t('quietSave')}
          </ActionButton>
        </>
      ) : null}
      {note ? <Notice kind="ok">{note}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  );
}
