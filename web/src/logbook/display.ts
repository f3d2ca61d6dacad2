// A field's value as a sailor reads it on screen or paper: chips and events by their names,
// sea state and visibility in words, cloud as eighths. The stored value stays as it was.
import { formatTime, t, type TextKey } from '../i18n.ts';
import { EVENTS, fieldText, SAIL_CHIPS, type EntryData, type FieldName } from './fields.ts';

/** Known chips by name; anything else (a newer app's chip) as it was stored. */
const named = (prefix: string, known: readonly string[], values: readonly string[]) =>
  values.map((v) => (known.includes(v) ? t(`${prefix}${v}` as TextKey) : v)).join(', ');

export function displayValue(data: EntryData, name: FieldName): string {
  switch (name) {
    case 'time':
      return data.time ? formatTime(data.time) : '';
    case 'sails':
      return named('sail_', SAIL_CHIPS, data.sails);
    case 'events':
      return named('event_', EVENTS, data.events);
    case 'sea':
      return /^\d$/.test(data.sea) ? t(`sea${data.sea}` as TextKey) : data.sea;
    case 'visibility':
      return ['good', 'moderate', 'poor', 'fog'].includes(data.visibility)
        ? t(`vis_${data.visibility}` as TextKey)
        : data.visibility;
    case 'cloud':
      return data.cloud ? `${data.cloud}/8` : '';
    default:
      return fieldText(data, name);
  }
}
