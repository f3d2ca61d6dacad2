// Settings: notifications on this device (in words: what works here and what does not),
// language, the account's passkeys (add, list, remove) and signing out.
import { useEffect, useState } from 'preact/hooks';
import { api, type PasskeyInfo, type PushPrefs } from '../api.ts';
import { formatTime, lang, setLang, t, type Lang } from '../i18n.ts';
import { addPasskey, reverify } from '../passkeys.ts';
import { deviceSubscription, disablePush, enablePush, forgetDeviceSubscription, pushSupport, updateSubscriptionLanguage, type PushSupport } from '../push.ts';
import { navigate } from '../router.ts';
import { signedOut, useSession } from '../session.ts';
import { ActionButton, errorText, Notice, Page } from '../ui.tsx';

function PushSection() {
  const [support, setSupport] = useState<PushSupport>(pushSupport());
  const [prefs, setPrefs] = useState<PushPrefs | null>(null);
  const [subscribed, setSubscribed] = useState(false);
  const [otherDevices, setOtherDevices] = useState<number | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');

  const refresh = async () => {
    setSupport(pushSupport());
    if (pushSupport() === 'unsupported' || pushSupport() === 'ios-install') return;
    const [p, sub] = await Promise.all([api.prefs(), deviceSubscription()]);
    setPrefs(p);
    setSubscribed(!!sub);
    // A server without the device list just does not show the count.
    const mine = await api.mySubscriptions().catch(() => undefined);
    setOtherDevices(mine ? mine.subscriptions.filter((s) => s.endpoint !== sub?.endpoint).length : undefined);
  };
  useEffect(() => {
    refresh().catch((e) => setError(errorText(e)));
  }, []);

  const active = support === 'granted' && subscribed && !!prefs?.collaboratorChangesEnabled;
  const toggle = async () => {
    setBusy(true);
    setError('');
    setMessage('');
    try {
      if (active) await disablePush();
      else await enablePush();
    } catch (e) {
      setError(errorText(e));
    } finally {
      await refresh().catch(() => undefined);
      setBusy(false);
    }
  };
  const canToggle = support === 'prompt' || support === 'granted';
  // Blocked in the browser: the switch stays in view, off and disabled, under the notice
  // that says how to allow it again.
  const showToggle = canToggle || support === 'denied';

  return (
    <section class="card stack" id="push" data-push-state={active ? 'active' : support}>
      <h2>{t('notifications')}</h2>
      <p class="muted small">{t('pushLead')}</p>
      {showToggle ? (
        <label class="toggle">
          <span>{t('pushToggle')}</span>
          <input id="push-toggle" type="checkbox" role="switch" checked={active} disabled={busy || !prefs || !canToggle} onChange={toggle} />
          <span class="switch" aria-hidden="true" />
        </label>
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
      {showToggle && prefs && !busy ? (
        <p class="push-status">
          <span class={active ? 'state on' : 'state off'}>{active ? t('pushActive') : t('pushOff')}</span>
          {otherDevices !== undefined ? <span class="muted" id="push-other-devices"> {otherDevices ? t('pushOtherDevices', { n: otherDevices }) : t('pushOtherNone')}</span> : null}
        </p>
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
      <p class="muted small">{t('pushOwnerOnly')}</p>
    </section>
  );
}

/** The account's passkeys with their dates; one can be removed (after a passkey check), never the last. */
function PasskeyList(props: { revision: number; onRemoved: () => void; onError: (e: unknown) => void }) {
  const [passkeys, setPasskeys] = useState<PasskeyInfo[] | null>(null);
  const reload = () => api.passkeys().then((r) => setPasskeys(r.passkeys), props.onError);
  useEffect(() => void reload(), [props.revision]);
  if (!passkeys) return null;
  return (
    <>
      <h3>{t('passkeysTitle')}</h3>
      <ul class="list passkeys" id="passkeys">
        {passkeys.map((p, i) => (
          <li key={p.id} class="member" data-passkey={p.id}>
            <span class="list-main">
              {t('passkeyN', { n: i + 1 })}
              <small class="muted block">
                {t('passkeyDates', { added: formatTime(p.createdAt), used: p.lastUsedAt ? t('passkeyUsed', { date: formatTime(p.lastUsedAt) }) : t('passkeyNeverUsed') })}
              </small>
            </span>
            {passkeys.length > 1 ? (
              <ActionButton
                class="ghost small danger"
                onClick={async () => {
                  if (!confirm(t('confirmRemovePasskey'))) return;
                  await reverify();
                  await api.deletePasskey(p.id);
                  await reload();
                  props.onRemoved();
                }}
                onError={props.onError}
              >
                {t('removePasskey')}
              </ActionButton>
            ) : null}
          </li>
        ))}
      </ul>
      {passkeys.length === 1 ? <Notice kind="warn">{t('passkeyOnlyOne')}</Notice> : null}
    </>
  );
}

export function SettingsPage() {
  const { user } = useSession();
  const [note, setNote] = useState('');
  const [passkeyRevision, setPasskeyRevision] = useState(0);
  const [error, setError] = useState('');
  const choose = (next: Lang) => {
    setLang(next);
    void updateSubscriptionLanguage().catch(() => undefined);
  };
  return (
    <Page title={t('settings')} back="/">
      <PushSection />
      <section class="card stack">
        <h2>{t('language')}</h2>
        <div class="segmented" role="radiogroup" aria-label={t('language')}>
          {(['de', 'en'] as const).map((l) => (
            <button type="button" role="radio" aria-checked={lang() === l} class={lang() === l ? 'on' : ''} id={`lang-${l}`} onClick={() => choose(l)}>
              {l === 'de' ? 'Deutsch' : 'English'}
            </button>
          ))}
        </div>
      </section>
      <section class="card stack">
        <h2>{t('account')}</h2>
        <p>{t('signedInAs', { name: user?.username ?? '' })}</p>
        <PasskeyList
          revision={passkeyRevision}
          onRemoved={() => {
            setError('');
            setNote(t('passkeyRemoved'));
          }}
          onError={(e) => setError(errorText(e))}
        />
        <ActionButton
          id="add-passkey"
          class="ghost"
          onClick={async () => {
            setError('');
            setNote('');
            await addPasskey();
            setNote(t('passkeyAdded'));
            setPasskeyRevision((n) => n + 1);
          }}
          onError={(e) => setError(errorText(e))}
        >
          {t('addPasskey')}
        </ActionButton>
        {note ? <Notice kind="ok">{note}</Notice> : null}
        {error ? <Notice kind="error">{error}</Notice> : null}
        <ActionButton
          id="sign-out"
          class="danger ghost"
          onClick={async () => {
            await forgetDeviceSubscription();
            await api.logout().catch(() => undefined);
            signedOut();
            navigate('/', { replace: true });
          }}
        >
          {t('signOut')}
        </ActionButton>
      </section>
    </Page>
  );
}
