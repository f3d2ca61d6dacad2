// Settings → Notifications → Your devices: every device of the account that receives
// notifications, with its last delivery, whether deliveries to it are failing (and why, in
// the server's words), and a button to remove it. This device is marked.
import { useEffect, useState } from 'preact/hooks';
import { api, type DeviceStatus } from '../api.ts';
import { formatTime, lang } from '../i18n.ts';
import { thisDeviceId, unsubscribeDevice } from '../push.ts';
import { ActionButton, errorText, Notice } from '../ui.tsx';

const en = {
  title: 'Your devices',
  none: 'No device receives notifications yet.',
  thisDevice: 'this device',
  delivered: 'Last notification {date}',
  neverDelivered: 'No notification delivered yet',
  seen: 'app opened {date}',
  working: 'Working',
  failing: 'Failing',
  remove: 'Remove',
  removed: 'Device removed. It comes back when the app is opened on it with notifications on.',
};
const de: typeof en = {
  title: 'Deine Geräte',
  none: 'Noch kein Gerät bekommt Benachrichtigungen.',
  thisDevice: 'dieses Gerät',
  delivered: 'Letzte Benachrichtigung {date}',
  neverDelivered: 'Noch keine Benachrichtigung zugestellt',
  seen: 'App geöffnet {date}',
  working: 'Funktioniert',
  failing: 'Fehler',
  remove: 'Entfernen',
  removed: 'Gerät entfernt. Es kommt zurück, wenn die App dort mit Benachrichtigungen geöffnet wird.',
};

function td(key: keyof typeof en, vars: Record<string, string> = {}): string {
  return (lang() === 'de' ? de : en)[key].replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? '');
}

/** A push service's host in words a sailor knows. */
export function deviceKind(host: string): string {
  if (host === 'web.push.apple.com' || host.endsWith('.push.apple.com')) return 'Safari (iPhone, iPad, Mac)';
  if (host === 'fcm.googleapis.com' || host.endsWith('.googleapis.com')) return 'Chrome / Android';
  if (host.endsWith('.mozilla.com') || host.endsWith('.mozaws.net')) return 'Firefox';
  if (host.endsWith('.notify.windows.com')) return 'Edge (Windows)';
  return host;
}

export function PushDevices(props: { revision: number }) {
  const [devices, setDevices] = useState<DeviceStatus[] | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const reload = () =>
    api.devices().then(
      (r) => setDevices(r.devices),
      (e) => setError(errorText(e)),
    );
  useEffect(() => void reload(), [props.revision]);
  if (!devices) return error ? <Notice kind="error">{error}</Notice> : null;
  const mine = thisDeviceId();
  return (
    <div class="stack" id="push-devices" data-count={devices.length}>
      <h3>{td('title')}</h3>
      {devices.length === 0 ? <p class="muted small">{td('none')}</p> : null}
      <ul class="list">
        {devices.map((d) => (
          <li key={d.id} class="member" data-device={d.id} data-failing={d.failing ? 'yes' : 'no'}>
            <span class="list-main">
              {deviceKind(d.endpointHost)}
              {d.id === mine ? <small class="muted"> · {td('thisDevice')}</small> : null}
              <small class="muted block">
                {d.lastDeliveredAt ? td('delivered', { date: formatTime(d.lastDeliveredAt) }) : td('neverDelivered')}
                {d.lastSeenAt ? `, ${td('seen', { date: formatTime(d.lastSeenAt) })}` : ''}
              </small>
              <small class={d.failing ? 'block device-failing' : 'muted block'}>
                {d.failing ? `${td('failing')}: ${d.failingReason ?? ''}` : td('working')}
              </small>
            </span>
            <ActionButton
              class="ghost small danger"
              onClick={async () => {
                setNote('');
                setError('');
                if (d.id === mine) await unsubscribeDevice();
                else await api.removeDevice(d.id);
                setNote(td('removed'));
                await reload();
              }}
              onError={(e) => setError(errorText(e))}
            >
              {td('remove')}
            </ActionButton>
          </li>
        ))}
      </ul>
      {note ? <Notice kind="ok">{note}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  );
}
