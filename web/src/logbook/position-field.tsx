// The entry form's position: a full-width field that takes the common ways of typing one,
// says under it how it was read (54°28.0'N 010°20.5'E) before anything is saved, and can
// fill itself from the phone's location.
import { t } from '../i18n.ts';
import { Icon } from '../ui.tsx';
import { formatPosition, readPosition } from './position.ts';

export function PositionField(props: {
  value: string;
  disabled: boolean;
  onInput: (text: string) => void;
  onError: (message: string) => void;
}) {
  const text = props.value.trim();
  const at = text ? readPosition(text) : null;
  return (
    <div class="field position-field">
      <label for="position">{t('position')}</label>
      <input
        id="position"
        name="position"
        maxLength={60}
        autoComplete="off"
        spellcheck={false}
        aria-describedby="position-understood"
        value={props.value}
        disabled={props.disabled}
        placeholder={t('positionPlaceholder')}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      <div class="row wrap position-row">
        <small id="position-understood" class={`grow${text && !at ? ' position-unread' : ''}`} aria-live="polite">
          {at ? t('positionUnderstood', { position: formatPosition(at) }) : text ? t('positionUnreadable') : ''}
        </small>
        {'geolocation' in navigator ? (
          <button
            type="button"
            class="btn ghost small"
            disabled={props.disabled}
            onClick={() =>
              navigator.geolocation.getCurrentPosition(
                (p) => props.onInput(formatPosition({ lat: p.coords.latitude, lon: p.coords.longitude })),
                (e) => props.onError(e.message),
                { timeout: 15_000 },
              )
            }
          >
            <Icon name="locate" size={18} /> {t('usePosition')}
          </button>
        ) : null}
      </div>
    </div>
  );
}
