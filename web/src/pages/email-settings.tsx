// Settings → Notifications → Email when push can't reach you: give an address (a link is mailed
// to confirm it), see whether it is confirmed, turn the email fallback on or off, remove the
// address. A server without a relay (409 email_not_configured) shows nothing.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type AccountEmail, type PushPrefs } from '../api.ts';
import { lang, t } from '../i18n.ts';
import { ActionButton, errorText, Notice } from '../ui.tsx';

export function EmailSection(props: { prefs: PushPrefs; onSaved: (prefs: PushPrefs) => void }) {
  const [stored, setStored] = useState<AccountEmail | null | undefined>(undefined);
  const [draft, setDraft] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const load = () =>
    api.accountEmail().then(
      (e) => setStored(e),
      (e) => setStored(e instanceof ApiError && e.code === 'email_not_configured' ? null : undefined),
    );
  useEffect(() => {
    load();
  }, []);
  // No relay on this server, or not reachable: nothing to offer.
  if (!stored) return null;
  const verified = stored.email !== null && stored.verified;
  return (
    <div
      class="stack"
      id="email-fallback"
      data-email={stored.email === null ? 'none' : verified ? 'verified' : 'pending'}
    >
      <h3>{t('emailTitle')}</h3>
      <p class="muted small">{t('emailHint')}</p>
      {stored.email !== null ? (
        <p id="email-state" class={verified ? 'state on' : 'state off'}>
          {t(verified ? 'emailVerified' : 'emailPending', { email: stored.email })}
        </p>
      ) : null}
      {verified ? (
        <label class="toggle">
          <span>
            {t('emailSwitch')}
            <small class="muted block">{t('emailSwitchHint')}</small>
          </span>
          <input
            id="email-when-no-push"
            type="checkbox"
            role="switch"
            checked={props.prefs.emailWhenNoPush}
            onChange={async () => {
              setError('');
              try {
                props.onSaved(await api.setPrefs({ emailWhenNoPush: !props.prefs.emailWhenNoPush }));
              } catch (e) {
                setError(errorText(e));
              }
            }}
          />
          <span class="switch" aria-hidden="true" />
        </label>
      ) : null}
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <label class="field">
          <span class="muted small block">{t('emailAddress')}</span>
          <input
            id="email-address"
            type="email"
            autocomplete="email"
            maxLength={254}
            value={draft}
            placeholder={stored.email ?? 'name@example.org'}
            onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <ActionButton
          id="email-send"
          type="submit"
          disabled={!draft.trim()}
          onClick={async () => {
            setError('');
            setNote('');
            const answer = await api.setAccountEmail(draft.trim(), lang());
            setNote(answer.email !== null && answer.verified ? '' : t('emailSent', { email: draft.trim() }));
            setDraft('');
            await load();
          }}
          onError={(e) => setError(errorText(e))}
        >
          {t('emailSend')}
        </ActionButton>
      </form>
      {stored.email !== null ? (
        <ActionButton
          id="email-remove"
          class="ghost"
          onClick={async () => {
            setNote('');
            await api.deleteAccountEmail();
            await load();
          }}
          onError={(e) => setError(errorText(e))}
        >
          {t('emailRemove')}
        </ActionButton>
      ) : null}
      {note ? <Notice kind="ok">{note}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  );
}
