// One entry in the logbook's timeline: its time, the facts a watch notes down, the notes,
// and who wrote it (and who last changed it, when that was someone else).
import type { Member } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { displayValue } from './display.ts';
import type { CachedEntry } from '../sync.ts';
import { Icon } from '../ui.tsx';
import { nameOf } from './crew-names.ts';
import type { Derived, EntryData } from './fields.ts';

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
/** A field's label without its unit in brackets: the unit goes with the value on a card. */
const short = (key: 'f_baro' | 'f_log' | 'f_sea') => t(key).replace(/\s*\(.*\)$/, '');

export function Byline({ entry, crew, me }: { entry: CachedEntry; crew: readonly Member[]; me: string | undefined }) {
  const author = entry.createdBy ?? null;
  const editedByOther = entry.updatedBy && author && entry.updatedBy !== author;
  return (
    <p class="byline muted small">
      {author ? <span class="author">{t('byAuthor', { name: nameOf(author, crew, me) })}</span> : null}
      {editedByOther || (!author && entry.updatedBy) ? (
        <span class="editor">
          {author ? ' · ' : ''}
          {t('editedBy', { name: nameOf(entry.updatedBy, crew, me) })}
        </span>
      ) : null}
    </p>
  );
}

export function EntryCard(props: {
  logbookId: string;
  entry: CachedEntry;
  data: EntryData | null;
  derived: Derived | undefined;
  pending: boolean;
  /** Arrived since the last visit ("N new since"). */
  isNew?: boolean;
  canWrite: boolean;
  crew: readonly Member[];
  me: string | undefined;
}) {
  const { entry, data, derived, logbookId } = props;
  return (
    <li class="entry" data-entry={entry.entityId} data-new={props.isNew ? '' : undefined}>
      <a class="entry-link" href={props.canWrite ? `/logbook/${logbookId}/entry/${entry.entityId}` : undefined}>
        <div class="entry-head">
          <time>{data?.time ? formatTime(data.time) : '—'}</time>
          {props.pending ? (
            <span class="pending" title={t('syncPending', { n: 1 })}>
              <Icon name="pending" size={16} />
            </span>
          ) : null}
        </div>
        {data ? (
          <>
            {data.events.length ? (
              <p class="chips">
                {displayValue(data, 'events')
                  .split(', ')
                  .map((e) => (
                    <span key={e} class="chip-event">
                      {e}
                    </span>
                  ))}
              </p>
            ) : null}
            <dl class="facts">
              {data.position ? <Fact label={t('position')} value={data.position} /> : null}
              {data.course ? <Fact label={t('factCourse')} value={`${data.course}°`} /> : null}
              {data.speed ? <Fact label={t('factSpeed')} value={`${data.speed} kn`} /> : null}
              {data.wind ? <Fact label={t('wind')} value={data.wind} /> : null}
              {data.baro ? (
                <Fact
                  label={short('f_baro')}
                  value={`${data.baro} hPa${derived?.baroTrend != null ? ` (${signed(derived.baroTrend)})` : ''}`}
                />
              ) : null}
              {data.log ? (
                <Fact
                  label={short('f_log')}
                  value={`${data.log} nm${derived?.distanceRun != null ? ` (+${derived.distanceRun})` : ''}`}
                />
              ) : null}
              {data.sea ? <Fact label={short('f_sea')} value={displayValue(data, 'sea')} /> : null}
            </dl>
            {data.sails.length || data.sailsNote ? (
              <p class="muted small sails">
                {[displayValue(data, 'sails'), data.sailsNote].filter(Boolean).join(', ')}
              </p>
            ) : null}
            {data.text ? <p class="entry-text">{data.text}</p> : null}
          </>
        ) : (
          <p class="muted">{t('errLocked')}</p>
        )}
      </a>
      <div class="entry-foot">
        <Byline entry={entry} crew={props.crew} me={props.me} />
        <a class="history-link small" href={`/logbook/${logbookId}/entry/${entry.entityId}/history`}>
          {t('history')}
        </a>
      </div>
    </li>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
