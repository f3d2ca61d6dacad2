// Wind as sailors write it ("SW 4 Bft", "NE 5-6", "18 kn", "9 m/s"), read well enough to
// find the strongest of a passage. A bare number up to 12 is Beaufort, above it knots.

export interface Wind {
  /** The text as it was written. */
  text: string;
  /** The upper knots of what was written, to compare by. */
  knots: number;
}

/** The upper knots of each Beaufort force 0–12. */
const BEAUFORT_KNOTS = [1, 3, 6, 10, 16, 21, 27, 33, 40, 47, 55, 63, 70];

export function windKnots(text: string): number | null {
  const m = /(\d+(?:[.,]\d+)?)(?:\s*[-–]\s*(\d+(?:[.,]\d+)?))?\s*(bft|bf|kn|kts?|knots?|m\/s)?/i.exec(text);
  if (!m) return null;
  const value = Number((m[2] ?? m[1])!.replace(',', '.'));
  const unit = m[3]?.toLowerCase();
  if (unit === 'm/s') return value * 1.9438;
  if (unit?.startsWith('b') || (!unit && value <= 12)) {
    return Number.isInteger(value) && value <= 12 ? BEAUFORT_KNOTS[value]! : null;
  }
  return value;
}

export function strongestWind(texts: readonly string[]): Wind | null {
  let best: Wind | null = null;
  for (const text of texts) {
    const knots = text ? windKnots(text) : null;
    if (knots !== null && (!best || knots > best.knots)) best = { text: text.trim(), knots };
  }
  return best;
}
