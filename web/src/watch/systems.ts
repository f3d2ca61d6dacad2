// Watch systems and the plan they make: a system is a cycle of watch lengths (hours) stood in
// turn by its watch teams. Times step on the device's wall clock, so across a daylight-saving
// change the night watch is an hour longer or shorter and the next one starts on the hour.

export type SystemId = 'fourOnFourOff' | 'threeWatches' | 'swedish' | 'sixOnSixOff' | 'custom';

export interface WatchSystem {
  id: SystemId;
  /** Watch lengths in hours, repeated. */
  hours: number[];
  /** Watch teams standing them in turn. */
  teams: number;
  /** Hour of the day the first watch starts by default. */
  firstHour: number;
}

export const SYSTEMS: Record<Exclude<SystemId, 'custom'>, WatchSystem> = {
  fourOnFourOff: { id: 'fourOnFourOff', hours: [4, 4, 4, 4, 4, 4], teams: 2, firstHour: 0 },
  threeWatches: { id: 'threeWatches', hours: [4, 4, 4, 4, 4, 4], teams: 3, firstHour: 0 },
  // 06–12, 12–18 (six hours by day), 18–22, 22–02, 02–06: five watches, so two teams rotate daily.
  swedish: { id: 'swedish', hours: [6, 6, 4, 4, 4], teams: 2, firstHour: 6 },
  sixOnSixOff: { id: 'sixOnSixOff', hours: [6, 6, 6, 6], teams: 2, firstHour: 0 },
};

/** "3, 3, 2" → [3, 3, 2]; undefined unless every length is 1–24 h (at most 24 lengths). */
export function parseHours(text: string): number[] | undefined {
  const parts = text
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length || parts.length > 24) return undefined;
  const hours = parts.map(Number);
  return hours.every((h) => Number.isFinite(h) && h >= 0.5 && h <= 24 && (h * 2) % 1 === 0) ? hours : undefined;
}

export interface PlannedWatch {
  startsAt: string;
  endsAt: string;
  members: string[];
}

/** Adds wall-clock hours (half hours allowed) to a local time. */
function addWallHours(at: Date, hours: number): Date {
  const next = new Date(at);
  next.setHours(next.getHours() + Math.trunc(hours), next.getMinutes() + Math.round((hours % 1) * 60));
  return next;
}

/**
 * The watches from `start` for `days` days, team i standing watches i, i + teams, …; at most
 * `max` watches (the server takes 200).
 */
export function planWatches(
  system: Pick<WatchSystem, 'hours' | 'teams'>,
  teams: string[][],
  start: Date,
  days: number,
  max = 200,
): PlannedWatch[] {
  const out: PlannedWatch[] = [];
  const end = new Date(start);
  end.setDate(end.getDate() + days);
  let at = new Date(start);
  for (let i = 0; at < end && out.length < max; i++) {
    const next = addWallHours(at, system.hours[i % system.hours.length]!);
    out.push({
      startsAt: at.toISOString(),
      endsAt: next.toISOString(),
      members: teams[i % system.teams] ?? [],
    });
    at = next;
  }
  return out;
}

export interface TimedWatch {
  startsAt: string;
  endsAt: string;
  members: string[];
}

/** The watch running at `now`, the one before it and the next one to start. */
export function watchesAround<W extends TimedWatch>(
  watches: readonly W[],
  now: number,
): { current?: W; previous?: W; next?: W } {
  const sorted = [...watches].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const i = sorted.findIndex((w) => Date.parse(w.startsAt) <= now && Date.parse(w.endsAt) > now);
  const current = i >= 0 ? sorted[i] : undefined;
  const previous = i > 0 ? sorted[i - 1] : undefined;
  const next = sorted.find((w) => Date.parse(w.startsAt) > now);
  return { current, previous, next };
}
