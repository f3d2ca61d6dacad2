// Settings → Notifications, with switches that do what they say: the account's preference
// (every device), this device's subscription (this device only), whether this device shows
// logbook names, quiet hours, and email when push can't reach. What works here and what does
// not is said in words.
import { useEffect, useState } from 'preact/hooks';
import { api, type PushPrefs } from '../api.ts';
import { t } from '../i18n.ts';
import { lockScreenNames, setLockScreenNames } from '../notification-detail.ts';
import { deviceSubscription, pushSupport, subscribeDevice, unsubscribeDevice, type PushSupport } from '../push.ts';
import { ActionButton, errorText, Notice } from '../ui.tsx';
import { QuietHoursEditor } from './quiet-hours.tsx';
import { PushDevices } from './push-devices.tsx';
import { EmailSection } from './email-settings.tsx';

function Switch(props: {
  id: string;
  label: string;
  hint: string;
  checked: boolean;
  disabled?: boolean;
  onChange: () => void;
}) {
  return (
    <label class="toggle">
      <span>
        {props.label}
        <small class="muted block">{props.hint}</small>
      </span>
      <input
        id={props.id}
        type="checkbox"
        role="switch"
        checked={props.checked}
        disabled={props.disabled}
        onChange={props.onChange}
      />
      <span class="switch" aria-hidden="true" />
    </label>
  );
}

export function PushSection() {
  const [support, setSupport] = useState<PushSupport>(pushSupport());
  const [prefs, setPrefs] = useState<PushPrefs | null>(null);
  const [subscribed, setSubscribed] = useState(false);
  const [names, setNames] = useState(true);
  const [otherDevices, setOtherDevices] = useState<number | undefined>(undefined);
  const [devicesRevision, setDevicesRevision] = useState(0);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const deviceCapable = support !== 'unsupported' && support !== 'ios-install';

  const refresh = async () => {
    setSupport(pushSupport());
    // The account's preference can be changed from any device, even one without push.
    const capable = pushSupport() !== 'unsupported' && pushSupport() !== 'ios-install';
    const [p, sub, showNames] = await Promise.all([
      api.prefs(),
      capable ? deviceSubscription() : null,
      lockScreenNames(),
    ]);
    setPrefs(p);
    setSubscribed(!!sub);
    setNames(showNames);
    // A server without the device list just does not show the count.
    const mine = await api.mySubscriptions().catch(() => undefined);
    setOtherDevices(mine ? mine.subscriptions.filter((s) => s.endpoint !== sub?.endpoint).length : undefined);
    setDevicesRevision((n) => n + 1);
  };
  useEffect(() => {
    refresh().catch((e) => setError(errorText(e)));
  }, []);

  const run = async (act: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    setMessage('');
    try {
      await act();
    } catch (e) {
      setError(errorText(e));
    } finally {
      await refresh().catch(() => undefined);
      setBusy(false);
    }
  };

  const accountOn = !!prefs?.collaboratorChangesEnabled;
  const deviceOn = support === 'granted' && subscribed;
  const active = deviceOn && accountOn;
  const canToggle = support === 'prompt' || support === 'granted';
  // Blocked in the browser: the device switch stays in view, off and disabled, under the
  // notice that says how to allow it again.
  const showDevice = canToggle || support === 'denied';

  return (
    <section
      class="card stack"
      id="push"
      data-push-state={active ? 'active' : support}
      data-account={accountOn ? 'on' : 'off'}
      data-device={deviceOn ? 'on' : 'off'}
    >
      <h2>{t('notifications')}</h2>
      <p class="muted small">{t('pushLead')}</p>
      <Switch
        id="push-account"
        label={t('accountSwitch')}
        hint={t('accountHint')}
        checked={accountOn}
        disabled={busy || !prefs}
        onChange={() => run(() => api.setPrefs({ collaboratorChangesEnabled: !accountOn }))}
      />
      {showDevice ? (
        <Switch
          id="push-toggle"
          label={t('deviceSwitch')}
          hint={t('deviceHint')}
          checked={deviceOn}
          disabled={busy || !prefs || !canToggle}
          onChange={() => run(() => (deviceOn ? unsubscribeDevice() : subscribeDevice()))}
        />
      ) : null}
      {support === 'unsupported' ? <Notice kind="warn">{t('pushUnsupported')}</Notice> : null}
      {support === 'ios-install' ? (
        <Notice kind="warn">
          {t('pushIos')} <strong>{t('pushIosHow')}</strong>
        </Notice>
      ) : null}
      {support === 'denied' ? (
        <Notice kind="warn">
          {t('pushDenied')} {t('pushDeniedHow')}
        </Notice>
      ) : null}
      {busy ? <p class="muted small">{t('pushWorking')}</p> : null}
      {showDevice && prefs && !busy ? (
        <p class="push-status">
          <span class={active ? 'state on' : 'state off'}>
            {active ? t('pushActive') : deviceOn ? t('deviceOnAccountOff') : t('pushOff')}
          </span>
          {otherDevices !== undefined ? (
            <span class="muted" id="push-other-devices">
              {' '}
              {otherDevices ? t('pushOtherDevices', { n: otherDevices }) : t('pushOtherNone')}
            </span>
          ) : null}
        </p>
      ) : null}
      {deviceCapable ? (
        <Switch
          id="push-names"
          label={t('namesSwitch')}
          hint={t('namesHint')}
          checked={names}
          disabled={busy}
          onChange={() => run(() => setLockScreenNames(!names))}
        />
      ) : null}
      {active ? (
        <ActionButton
          id="push-test"
          class="ghost"
          onClick={async () => {
            setError('');
            const { queued } = await api.testPush();
            setMessage(t('pushTestSent', { n: queued }));
          }}
          onError={(e) => setError(errorText(e))}
        >
          {t('pushTest')}
        </ActionButton>
      ) : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      <PushDevices revision={devicesRevision} />
      {prefs ? <QuietHoursEditor prefs={prefs} onSaved={setPrefs} /> : null}
      {prefs ? <EmailSection prefs={prefs} onSaved={setPrefs} /> : null}
      <p class="muted small">{t('pushOwnerOnly')}</p>
    </section>
  );
}
