// The watch planner (/logbook/:id/watches): the skipper picks a watch system, puts the crew
// into its watch teams and writes the plan for the next days; the reminder settings sit below.
// Crew see the plan as it stands.
import { useState } from 'preact/hooks';
import { intlTag, t } from '../i18n.ts';
import { useSession } from '../session.ts';
import { useCrew } from '../logbook/crew-names.ts';
import { errorText, Notice, Page } from '../ui.tsx';
import { watchApi, type WatchPlan } from './api.ts';
import { names, useWatchPlan } from './banner.tsx';
import { parseHours, planWatches, SYSTEMS, type SystemId } from './systems.ts';

const SYSTEM_IDS: SystemId[] = ['fourOnFourOff', 'threeWatches', 'swedish', 'sixOnSixOff', 'custom'];
const LOG_CHOICES = [null, 30, 60, 90, 120, 180, 240] as const;
const TEAM_NAMES = ['A', 'B', 'C', 'D', 'E', 'F'];

/** The next full hour, as a datetime-local value. */
function nextFullHour(): string {
  const d = new Date();
  d.setHours(d.getHours() + 1, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:00`;
}

function when(at: string): string {
  return new Date(at).toLocaleString(intlTag(), {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function WatchPlanner({ id }: { id: string }) {
  const { logbooks } = useSession();
  const isOwner = logbooks.find((l) => l.id === id)?.role === 'OWNER';
  const crew = useCrew(id);
  const [plan, setPlan] = useWatchPlan(id);
  const [systemId, setSystemId] = useState<SystemId>('fourOnFourOff');
  const [customHours, setCustomHours] = useState('4, 4, 4');
  const [customTeams, setCustomTeams] = useState(2);
  const [teams, setTeams] = useState<string[][]>([[], [], [], [], [], []]);
  const [start, setStart] = useState(nextFullHour);
  const [days, setDays] = useState(2);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [before, setBefore] = useState<number | undefined>(undefined);
  const [logEvery, setLogEvery] = useState<number | null | undefined>(undefined);

  const hours = systemId === 'custom' ? parseHours(customHours) : SYSTEMS[systemId].hours;
  const teamCount = systemId === 'custom' ? customTeams : SYSTEMS[systemId].teams;
  const chosen = teams.slice(0, teamCount);
  const planned = hours && start ? planWatches({ hours, teams: teamCount }, chosen, new Date(start), days) : [];
  const reminders = {
    beforeMinutes: before ?? plan?.reminders.beforeMinutes ?? 10,
    logEveryMinutes: logEvery === undefined ? (plan?.reminders.logEveryMinutes ?? null) : logEvery,
  };

  const save = async (watches: WatchPlan['watches'] | ReturnType<typeof planWatches>, count: number) => {
    if (!plan) return;
    setBusy(true);
    setMessage(null);
    try {
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || null;
      setPlan(await watchApi.save(id, { underWay: plan.underWay, watches, reminders, timeZone }));
      setMessage({ kind: 'ok', text: t('planSaved', { n: count }) });
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const toggleMember = (team: number, userId: string) =>
    setTeams((all) =>
      all.map((members, i) =>
        i !== team ? members : members.includes(userId) ? members.filter((m) => m !== userId) : [...members, userId],
      ),
    );

  return (
    <Page title={t('watchPlan')} back={`/logbook/${id}`}>
      {!isOwner ? <Notice>{t('onlySkipper')}</Notice> : null}
      {isOwner && plan ? (
        <form
          id="watch-planner"
          class="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (!hours) return setMessage({ kind: 'error', text: t('customHoursBad') });
            if (chosen.some((t) => t.length === 0)) return setMessage({ kind: 'error', text: t('emptyTeam') });
            void save(planned, planned.length);
          }}
        >
          <label class="field">
            <span>{t('system')}</span>
            <select id="watch-system" value={systemId} onChange={(e) => setSystemId(e.currentTarget.value as SystemId)}>
              {SYSTEM_IDS.map((s) => (
                <option key={s} value={s}>
                  {t(`sys_${s}`)}
                </option>
              ))}
            </select>
          </label>
          {systemId === 'custom' ? (
            <div class="row wrap">
              <label class="field grow">
                <span>{t('customHours')}</span>
                <input id="custom-hours" value={customHours} onInput={(e) => setCustomHours(e.currentTarget.value)} />
                <small class="muted">{t('customHoursHint')}</small>
              </label>
              <label class="field">
                <span>{t('teamsCount')}</span>
                <input
                  id="custom-teams"
                  type="number"
                  min={1}
                  max={TEAM_NAMES.length}
                  value={customTeams}
                  onInput={(e) => setCustomTeams(Math.min(6, Math.max(1, Number(e.currentTarget.value) || 1)))}
                />
              </label>
            </div>
          ) : null}
          {chosen.map((members, team) => (
            <fieldset key={TEAM_NAMES[team]} class="watch-team" id={`team-${TEAM_NAMES[team]}`}>
              <legend>{t('team', { name: TEAM_NAMES[team]! })}</legend>
              {crew.map((m) => (
                <label key={m.userId} class="chip-check">
                  <input
                    type="checkbox"
                    name={`team-${TEAM_NAMES[team]}-${m.username}`}
                    checked={members.includes(m.userId)}
                    onChange={() => toggleMember(team, m.userId)}
                  />{' '}
                  {m.username}
                </label>
              ))}
            </fieldset>
          ))}
          <div class="row wrap">
            <label class="field grow">
              <span>{t('startsAt')}</span>
              <input
                id="watch-start"
                type="datetime-local"
                required
                value={start}
                onInput={(e) => setStart(e.currentTarget.value)}
              />
            </label>
            <label class="field">
              <span>{t('days')}</span>
              <input
                id="watch-days"
                type="number"
                min={1}
                max={14}
                value={days}
                onInput={(e) => setDays(Math.min(14, Math.max(1, Number(e.currentTarget.value) || 1)))}
              />
            </label>
          </div>
          {planned.length ? (
            <p class="muted small" id="watch-preview">
              {t('preview', { n: planned.length, time: when(planned[planned.length - 1]!.endsAt) })}
            </p>
          ) : null}
          <button id="write-plan" class="btn" type="submit" disabled={busy}>
            {t('writePlan')}
          </button>
        </form>
      ) : null}
      {isOwner && plan ? (
        <div class="card stack" id="watch-reminders">
          <h2 class="small">{t('reminders')}</h2>
          <label class="field">
            <span>{t('beforeMinutes')}</span>
            <input
              id="before-minutes"
              type="number"
              min={0}
              max={120}
              value={reminders.beforeMinutes}
              onInput={(e) => setBefore(Math.min(120, Math.max(0, Number(e.currentTarget.value) || 0)))}
            />
          </label>
          <label class="field">
            <span>{t('logEvery')}</span>
            <select
              id="log-every"
              value={String(reminders.logEveryMinutes ?? 'off')}
              onChange={(e) => setLogEvery(e.currentTarget.value === 'off' ? null : Number(e.currentTarget.value))}
            >
              {LOG_CHOICES.map((n) => (
                <option key={String(n)} value={n === null ? 'off' : String(n)}>
                  {n === null ? t('logOff') : t('logEveryN', { n })}
                </option>
              ))}
            </select>
          </label>
          <p class="muted small">{t('reminderNote')}</p>
          <button
            id="save-reminders"
            class="btn ghost"
            type="button"
            disabled={busy}
            onClick={() => void save(plan.watches, plan.watches.length)}
          >
            {t('saveReminders')}
          </button>
        </div>
      ) : null}
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      {plan?.watches.length ? (
        <ol class="list" id="watch-list">
          {plan.watches.slice(0, 60).map((w) => (
            <li key={w.id} class="list-item">
              <span class="list-main">
                <span class="list-title">
                  {when(w.startsAt)} – {when(w.endsAt)}
                </span>
                <span class="list-sub">{names(w.members, crew)}</span>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </Page>
  );
}
