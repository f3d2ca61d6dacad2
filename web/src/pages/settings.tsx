// Settings: notifications (push-settings.tsx), language, the account's passkeys (add, list,
// remove) and signing out; for an admin, the message to everyone (broadcast.tsx).
import { useEffect, useState } from 'preact/hooks';
import { api, type PasskeyInfo } from '../api.ts';
import { APP_LANGS, formatTime, LANG_NAMES, lang, setLang, t, type Lang } from '../i18n.ts';
import { addPasskey, reverify } from '../passkeys.ts';
import { forgetDeviceSubscription, updateSubscriptionLanguage } from '../push.ts';
import { navigate } from '../router.ts';
import { signedOut, useSession } from '../session.ts';
import { ActionButton, errorText, Notice, Page } from '../ui.tsx';
import { PushSection } from './push-settings.tsx';
import { BroadcastSection } from './broadcast.tsx';

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
                {t('passkeyDates', {
                  added: formatTime(p.createdAt),
                  used: p.lastUsedAt ? t('passkeyUsed', { date: formatTime(p.lastUsedAt) }) : t('passkeyNeverUsed'),
                })}
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
    void setLang(next).then(() => updateSubscriptionLanguage().catch(() => undefined));
  };
  return (
    <Page title={t('settings')} back="/">
      <PushSection />
      <section class="card stack">
        <h2>{t('language')}</h2>
        <div class="segmented wrap" role="radiogroup" aria-label={t('language')}>
          {APP_LANGS.map((l) => (
            <button
              type="button"
              role="radio"
              aria-checked={lang() === l}
              class={lang() === l ? 'on' : ''}
              id={`lang-${l}`}
              lang={l}
              onClick={() => choose(l)}
            >
              {LANG_NAMES[l]}
            </button>
          ))}
        </div>
      </section>
      {user?.isAdmin ? <BroadcastSection /> : null}
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
