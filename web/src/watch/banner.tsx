// On a logbook's screen: who is on watch now and who is next, the skipper's "Under way"
// switch, the way to the planner, and a button that logs a watch change as an ordinary
// entry (encrypted on this device like any other). The plan is kept here for offline use.
import { useEffect, useState } from 'preact/hooks';
import type { Member } from '../api.ts';
import { formatClock, formatList, t } from '../i18n.ts';
import { idbStore } from '../offline/idb.ts';
import { saveEntry } from '../sync.ts';
import { normalizeEntry } from '../logbook/fields.ts';
import { errorText, Notice } from '../ui.tsx';
import { watchApi, type WatchPlan } from './api.ts';
import { watchesAround } from './systems.ts';

const cache = idbStore<WatchPlan>('cache');
const cacheKey = (logbookId: string) => `watches/${logbookId}`;

/** The plan: from the server when it answers (kept here), else as last seen; null when turned off. */
export function useWatchPlan(logbookId: string): [WatchPlan | null | undefined, (p: WatchPlan) => void] {
  const [plan, setPlan] = useState<WatchPlan | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    watchApi.plan(logbookId).then(
      (p) => {
        if (!live) return;
        setPlan(p);
        void cache.put(cacheKey(logbookId), p).catch(() => undefined);
      },
      async (e: { status?: number }) => {
        const kept = e?.status !== 0 ? undefined : await cache.get(cacheKey(logbookId)).catch(() => undefined);
        if (live) setPlan(kept ?? null);
      },
    );
    return () => {
      live = false;
    };
  }, [logbookId]);
  const update = (p: WatchPlan) => {
    setPlan(p);
    void cache.put(cacheKey(logbookId), p).catch(() => undefined);
  };
  return [plan, update];
}

/** Ticks every 30 s, so that "now" moves on while the screen stays open. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export const names = (ids: readonly string[], crew: readonly Member[]) =>
  formatList(ids.map((id) => crew.find((m) => m.userId === id)?.username ?? '?')) || t('nobody');

/** `YYYY-MM-DDTHH:MM` on this device's clock, as an entry's time field holds it. */
function localNow(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function WatchBanner(props: {
  id: string;
  isOwner: boolean;
  canWrite: boolean;
  logbookKey: CryptoKey | null | undefined;
  crew: Member[];
  me: string | undefined;
}) {
  const { id, crew } = props;
  const [plan, setPlan] = useWatchPlan(id);
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  if (!plan || (!props.isOwner && plan.watches.length === 0)) return null;
  // No plan yet: the skipper gets only the way to the planner.
  if (plan.watches.length === 0)
    return (
      <nav class="row wrap" id="watch-banner">
        <a id="open-watches" class="btn ghost small" href={`/logbook/${id}/watches`}>
          {t('watchPlan')}
        </a>
      </nav>
    );
  const { current, previous, next } = watchesAround(plan.watches, now);

  const setUnderWay = async (underWay: boolean) => {
    setBusy(true);
    setMessage(null);
    try {
      setPlan(await watchApi.save(id, { ...plan, underWay }));
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const logChange = async () => {
    if (!current || !props.logbookKey || !props.me) return;
    setBusy(true);
    try {
      const text = t('watchChangeText', {
        from: previous ? names(previous.members, crew) : t('nobody'),
        to: names(current.members, crew),
      });
      const entry = { ...normalizeEntry({}), time: localNow(), onWatch: names(current.members, crew), text };
      await saveEntry(id, props.logbookKey, undefined, entry, props.me);
      setMessage({ kind: 'ok', text: t('watchChangeLogged') });
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card stack watch-banner" id="watch-banner" data-under-way={plan.underWay ? 'yes' : 'no'}>
      {current ? (
        <p id="watch-now">
          <strong>{t('onWatch', { names: names(current.members, crew) })}</strong>{' '}
          <span class="muted">{t('onWatchUntil', { time: formatClock(current.endsAt) })}</span>
        </p>
      ) : (
        <p id="watch-now" class="muted">
          {t('noWatchNow')}
        </p>
      )}
      {next ? (
        <p id="watch-next" class="muted small">
          {t('nextWatch', { names: names(next.members, crew), time: formatClock(next.startsAt) })}
        </p>
      ) : null}
      {props.isOwner ? (
        <label class="toggle">
          <span>
            {t('underWay')}
            <small class="muted block">{t('underWayHint')}</small>
          </span>
          <input
            id="under-way"
            type="checkbox"
            role="switch"
            checked={plan.underWay}
            disabled={busy}
            onChange={() => void setUnderWay(!plan.underWay)}
          />
          <span class="switch" aria-hidden="true" />
        </label>
      ) : null}
      <div class="row wrap">
        {current && props.canWrite && props.logbookKey ? (
          <button
            id="log-watch-change"
            type="button"
            class="btn small"
            disabled={busy}
            onClick={() => void logChange()}
          >
            {t('logWatchChange')}
          </button>
        ) : null}
        <a id="open-watches" class="btn ghost small" href={`/logbook/${id}/watches`}>
          {t('watchPlan')}
        </a>
      </div>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    </div>
  );
}
