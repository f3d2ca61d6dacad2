// Positions as sailors type them (decimal degrees, or degrees and decimal minutes, with or
// without hemisphere letters, German O for east), kept as numbers and always shown in one
// nautical format: 54°28.0'N 010°20.5'E.

export interface LatLon {
  lat: number;
  lon: number;
}

// One coordinate: a hemisphere letter before it or after it (or none), an optional sign,
// degrees (decimal when no minutes follow), and optional decimal minutes.
const NUMBER = String.raw`(-)?\s*(\d{1,3}(?:\.\d+)?)\s*(?:°|º|\s)?\s*(?:(\d{1,2}(?:\.\d+)?)\s*['′’]?)?`;
const LETTER_FIRST = String.raw`([NSEWO])\s*${NUMBER}()`;
const LETTER_AFTER = String.raw`()${NUMBER}\s*([NSEWO])?`;
const SHAPES = [LETTER_AFTER, LETTER_FIRST].map((c) => new RegExp(String.raw`^${c}\s*[\s,;/]\s*${c}$`));

function coordinate(
  [before, minus, degrees, minutes, after]: Array<string | undefined>,
  positive: string[],
  negative: string,
  max: number,
): number | null {
  const letter = before || after;
  if (letter && !positive.includes(letter) && letter !== negative) return null;
  if (letter && minus) return null;
  if (minutes !== undefined && (degrees!.includes('.') || Number(minutes) >= 60)) return null;
  const value = Number(degrees) + (minutes === undefined ? 0 : Number(minutes) / 60);
  if (value > max) return null;
  return letter === negative || minus ? -value : value;
}

/** The position `text` means, or null when it is not one (or not on the globe). */
export function readPosition(text: string): LatLon | null {
  const s = text
    .trim()
    .toUpperCase()
    .replace(/(\d),(\d)/g, '$1.$2')
    .replace(/["″]/g, '');
  for (const shape of SHAPES) {
    const m = shape.exec(s);
    if (!m) continue;
    const lat = coordinate(m.slice(1, 6), ['N'], 'S', 90);
    const lon = coordinate(m.slice(6, 11), ['E', 'O'], 'W', 180);
    if (lat !== null && lon !== null) return { lat, lon };
  }
  return null;
}

function part(value: number, positive: string, negative: string, width: number): string {
  const abs = Math.abs(value);
  let degrees = Math.floor(abs);
  let tenths = Math.round((abs - degrees) * 600);
  if (tenths === 600) {
    degrees++;
    tenths = 0;
  }
  const minutes = (tenths / 10).toFixed(1).padStart(4, '0');
  return `${String(degrees).padStart(width, '0')}°${minutes}'${value < 0 && (degrees > 0 || tenths > 0) ? negative : positive}`;
}

/** 54°28.0'N 010°20.5'E */
export function formatPosition({ lat, lon }: LatLon): string {
  return `${part(lat, 'N', 'S', 2)} ${part(lon, 'E', 'W', 3)}`;
}

/** A stored position's numbers, when they are numbers on the globe. */
export function storedPosition(lat: unknown, lon: unknown): LatLon | null {
  return typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180
    ? { lat, lon }
    : null;
}
