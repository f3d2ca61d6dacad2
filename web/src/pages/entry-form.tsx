// Writing or changing an entry. Quick on a phone: the fields every watch fills come first,
// the rest fold out; a new entry carries over sails and watch and offers the last readings.
import { useEffect, useState } from 'preact/hooks';
import { t, type TextKey } from '../i18n.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.ts';
import { deleteEntry, listEntries, readEntry, saveEntry } from '../sync.ts';
import { ActionButton, errorText, Notice, Page } from '../ui.tsx';
import {
  CARRIED_OVER,
  emptyEntry,
  EVENTS,
  OFFERED,
  SAIL_CHIPS,
  type EntryData,
  type FieldName,
  withPosition,
} from '../logbook/fields.ts';
import { readPosition } from '../logbook/position.ts';
import { PositionField } from '../logbook/position-field.tsx';
import { canWrite, useLogbook } from './logbook.tsx';

function localNow(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

type TextField = Exclude<FieldName, 'sails' | 'events'>;

export function EntryForm({ id, entryId }: { id: string; entryId?: string }) {
  const { logbook, key } = useLogbook(id);
  const { user } = useSession();
  const [data, setData] = useState<EntryData>(() => emptyEntry(localNow()));
  const [last, setLast] = useState<EntryData | null>(null);
  const [error, setError] = useState('');
  // An existing entry is decrypted first; until then the fields wait, so nothing typed is overwritten.
  const [ready, setReady] = useState(!entryId);
  useEffect(() => {
    if (!key) return;
    if (entryId) {
      void readEntry(id, entryId, key).then(
        (d) => {
          if (d) setData(d);
          setReady(true);
        },
        (e) => setError(errorText(e)),
      );
      return;
    }
    // A new entry: the latest one gives what usually stays the same and the last readings.
    void listEntries(id, key).then((rows) => {
      const latest = rows.find((r) => r.data)?.data ?? null;
      setLast(latest);
      if (latest) setData((d) => ({ ...d, ...Object.fromEntries(CARRIED_OVER.map((f) => [f, latest[f]])) }));
    });
  }, [id, entryId, key]);

  const field = (name: TextField) => ({
    name,
    value: data[name],
    disabled: !ready,
    placeholder:
      last?.[name] && (OFFERED as readonly string[]).includes(name) ? t('lastValue', { value: last[name] }) : undefined,
    onInput: (e: Event) => setData((d) => ({ ...d, [name]: (e.target as HTMLInputElement).value })),
  });
  const toggle = (list: 'sails' | 'events', value: string) =>
    setData((d) => ({
      ...d,
      [list]: d[list].includes(value) ? d[list].filter((v) => v !== value) : [...d[list], value],
    }));
  const useLast = () =>
    setData((d) => ({
      ...d,
      ...Object.fromEntries(OFFERED.filter((f) => !d[f] && last?.[f]).map((f) => [f, last![f]])),
    }));

  const save = async () => {
    if (!key || !user) return;
    // Kept as numbers and written one way; text that is not a position is not saved.
    const at = data.position.trim() ? readPosition(data.position) : null;
    if (data.position.trim() && !at) throw new Error(t('positionUnreadable'));
    await saveEntry(id, key, entryId, withPosition(data, at), user.id);
    navigate(`/logbook/${id}`);
  };
  const chips = (list: 'sails' | 'events', values: readonly string[], prefix: string) => (
    <div class="chips" role="group">
      {values.map((v) => (
        <button
          key={v}
          type="button"
          class={`chip-toggle${data[list].includes(v) ? ' on' : ''}`}
          aria-pressed={data[list].includes(v)}
          data-chip={`${list}:${v}`}
          disabled={!ready}
          onClick={() => toggle(list, v)}
        >
          {t(`${prefix}${v}` as TextKey)}
        </button>
      ))}
    </div>
  );
  const select = (name: TextField, options: Array<[string, string]>) => (
    <select name={name} value={data[name]} disabled={!ready} onInput={field(name).onInput}>
      <option value="">{last?.[name] ? t('lastValue', { value: last[name] }) : '—'}</option>
      {options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
  const range = (n: number) => Array.from({ length: n }, (_, i) => String(i));

  return (
    <Page
      title={entryId ? t('editEntry') : t('addEntry')}
      back={`/logbook/${id}`}
      actions={
        entryId ? (
          <a class="btn ghost small" id="open-history" href={`/logbook/${id}/entry/${entryId}/history`}>
            {t('history')}
          </a>
        ) : undefined
      }
    >
      {key === null ? <Notice kind="error">{t('errLocked')}</Notice> : null}
      {logbook && !canWrite(logbook) ? <Notice>{t('readOnly')}</Notice> : null}
      <form
        class="card stack entry-form"
        aria-busy={!ready}
        data-ready={ready ? 'yes' : 'no'}
        onSubmit={(e) => {
          e.preventDefault();
          (e.currentTarget.querySelector('#save-entry') as HTMLButtonElement | null)?.click();
        }}
      >
        <label class="field">
          <span>{t('when')}</span>
          <input type="datetime-local" required {...field('time')} />
        </label>
        <PositionField
          value={data.position}
          disabled={!ready}
          onInput={(position) => setData((d) => ({ ...d, position }))}
          onError={setError}
        />
        <div class="grid3">
          <label class="field">
            <span>{t('course')}</span>
            <input inputMode="numeric" maxLength={5} {...field('course')} placeholder="045" />
          </label>
          <label class="field">
            <span>{t('speed')}</span>
            <input inputMode="decimal" maxLength={5} {...field('speed')} placeholder="6.2" />
          </label>
          <label class="field">
            <span>{t('wind')}</span>
            <input maxLength={30} {...field('wind')} placeholder={field('wind').placeholder ?? t('windPlaceholder')} />
          </label>
        </div>
        <div class="grid3">
          <label class="field">
            <span>{t('f_baro')}</span>
            <input inputMode="decimal" maxLength={7} {...field('baro')} />
          </label>
          <label class="field">
            <span>{t('f_log')}</span>
            <input inputMode="decimal" maxLength={9} {...field('log')} />
          </label>
          {last ? (
            <button type="button" id="use-last" class="btn ghost small" disabled={!ready} onClick={useLast}>
              {t('useLast')}
            </button>
          ) : null}
        </div>
        <div class="field">
          <span>{t('f_events')}</span>
          {chips('events', EVENTS, 'event_')}
        </div>
        <label class="field">
          <span>{t('notes')}</span>
          <textarea rows={4} maxLength={4000} {...field('text')} placeholder={t('notesPlaceholder')} />
        </label>
        <details class="more" id="more-fields">
          <summary>{t('moreFields')}</summary>
          <div class="stack">
            <div class="field">
              <span>{t('f_sails')}</span>
              {chips('sails', SAIL_CHIPS, 'sail_')}
              <input maxLength={120} aria-label={t('f_sailsNote')} {...field('sailsNote')} />
            </div>
            <div class="grid3">
              <label class="field">
                <span>{t('f_sea')}</span>
                {select(
                  'sea',
                  range(10).map((n) => [n, t(`sea${n}` as TextKey)]),
                )}
              </label>
              <label class="field">
                <span>{t('f_visibility')}</span>
                {select(
                  'visibility',
                  ['good', 'moderate', 'poor', 'fog'].map((v) => [v, t(`vis_${v}` as TextKey)]),
                )}
              </label>
              <label class="field">
                <span>{t('f_cloud')}</span>
                {select(
                  'cloud',
                  range(9).map((n) => [n, `${n}/8`]),
                )}
              </label>
            </div>
            <div class="grid3">
              <label class="field">
                <span>{t('f_onWatch')}</span>
                <input maxLength={80} {...field('onWatch')} />
              </label>
              <label class="field">
                <span>{t('f_helm')}</span>
                <input maxLength={40} {...field('helm')} />
              </label>
              <label class="field">
                <span>{t('f_engineHours')}</span>
                <input inputMode="decimal" maxLength={8} {...field('engineHours')} />
              </label>
            </div>
            <div class="grid3">
              <label class="field">
                <span>{t('f_fuel')}</span>
                <input inputMode="decimal" maxLength={6} {...field('fuel')} />
              </label>
              <label class="field">
                <span>{t('f_water')}</span>
                <input inputMode="decimal" maxLength={6} {...field('water')} />
              </label>
              <label class="field">
                <span>{t('f_eventNote')}</span>
                <input maxLength={200} {...field('eventNote')} />
              </label>
            </div>
          </div>
        </details>
        <div class="row">
          {entryId ? (
            <ActionButton
              id="delete-entry"
              class="danger ghost"
              disabled={!canWrite(logbook)}
              onClick={async () => {
                if (!confirm(t('confirmDelete'))) return;
                await deleteEntry(id, entryId);
                navigate(`/logbook/${id}`);
              }}
              onError={(e) => setError(errorText(e))}
            >
              {t('delete')}
            </ActionButton>
          ) : null}
          <ActionButton
            id="save-entry"
            class="primary grow"
            disabled={!key || !ready || !canWrite(logbook)}
            onClick={save}
            onError={(e) => setError(errorText(e))}
          >
            {t('save')}
          </ActionButton>
        </div>
        {error ? <Notice kind="error">{error}</Notice> : null}
      </form>
    </Page>
  );
}
