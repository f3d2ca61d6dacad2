// Settings → Notifications → Your devices: every device of the account that receives
// notifications, with its last delivery, whether deliveries to it are failing (and why, in
// the server's words), and a button to remove it. This device is marked.
import { useEffect, useState } from 'preact/hooks';
import { api, type DeviceStatus } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { thisDeviceId, unsubscribeDevice } from '../push.ts';
import { ActionButton, errorText, Notice } from '../ui.tsx';

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
      <h3>{t('dev_title')}</h3>
      {devices.length === 0 ? <p class="muted small">{t('dev_none')}</p> : null}
      <ul class="list">
        {devices.map((d) => (
          <li key={d.id} class="member" data-device={d.id} data-failing={d.failing ? 'yes' : 'no'}>
            <span class="list-main">
              {deviceKind(d.endpointHost)}
              {d.id === mine ? <small class="muted"> · {t('dev_thisDevice')}</small> : null}
              <small class="muted block">
                {d.lastDeliveredAt
                  ? t('dev_delivered', { date: formatTime(d.lastDeliveredAt) })
                  : t('dev_neverDelivered')}
                {d.lastSeenAt ? `, ${t('dev_seen', { date: formatTime(d.lastSeenAt) })}` : ''}
              </small>
              <small class={d.failing ? 'block device-failing' : 'muted block'}>
                {d.failing ? `${t('dev_failing')}: ${d.failingReason ?? ''}` : t('dev_working')}
              </small>
            </span>
            <ActionButton
              class="ghost small danger"
              onClick={async () => {
                setNote('');
                setError('');
                if (d.id === mine) await unsubscribeDevice();
                else await api.removeDevice(d.id);
                setNote(t('dev_removed'));
                await reload();
              }}
              onError={(e) => setError(errorText(e))}
            >
              {t('dev_remove')}
            </ActionButton>
          </li>
        ))}
      </ul>
      {note ? <Notice kind="ok">{note}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  );
}
