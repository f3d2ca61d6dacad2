// Signing in and up: the welcome screen, the admin's sign-up link and the crew invite link.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type InviteInfo, type User } from '../api.ts';
import { APP_LANGS, formatTime, LANG_NAMES, lang, setLang, t, type TextKey } from '../i18n.ts';
import { importLogbookKey } from '../crypto.ts';
import { keepLogbookKey } from '../keys.ts';
import { navigate } from '../router.ts';
import { loadLogbooks, session, signedIn, useSession } from '../session.ts';
import { ActionButton, errorText, Mark, Notice } from '../ui.tsx';

// The WebAuthn code and the push code are fetched when a button asks for them, not with the
// welcome screen: a first visit only downloads what it shows.
const signIn = async (): Promise<User> => (await import('../passkeys.ts')).signIn();
const signUp = async (username: string, inviteToken?: string): Promise<User> =>
  (await import('../passkeys.ts')).signUp(username, inviteToken);

function afterSignIn() {
  // Renewing the push subscription must never hold up signing in.
  void import('../push.ts').then((push) => push.renewPushAfterSignIn()).catch(() => undefined);
}

function Hero() {
  return (
    <div class="hero">
      <Mark size={72} />
      <p class="brand">crewbell</p>
      <p class="tagline">{t('tagline')}</p>
      <p class="langs">
        {APP_LANGS.map((l) => (
          <button
            type="button"
            lang={l}
            class={lang() === l ? 'on' : ''}
            aria-pressed={lang() === l}
            onClick={() => void setLang(l)}
          >
            {LANG_NAMES[l]}
          </button>
        ))}
      </p>
    </div>
  );
}

export function Welcome() {
  const [error, setError] = useState('');
  return (
    <div class="page welcome">
      <Hero />
      <div class="card stack">
        <ActionButton
          id="sign-in"
          class="primary big"
          onClick={async () => {
            setError('');
            const user = await signIn();
            signedIn(user);
            afterSignIn();
          }}
          onError={(e) => setError(errorText(e))}
        >
          {t('signIn')}
        </ActionButton>
        {error ? <Notice kind="error">{error}</Notice> : null}
        <p class="muted small">{t('signInHint')}</p>
      </div>
    </div>
  );
}

function UsernameField(props: { value: string; onInput: (v: string) => void }) {
  return (
    <label class="field">
      <span>{t('username')}</span>
      <input
        name="username"
        autocomplete="username webauthn"
        autocapitalize="none"
        spellcheck={false}
        required
        maxLength={32}
        value={props.value}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      <small class="muted">{t('usernameHint')}</small>
    </label>
  );
}

/** The admin's sign-up link, or with `recover` the recovery link: a new passkey for an existing account. */
export function SignUp({ token, recover = false }: { token: string | null; recover?: boolean }) {
  const [username, setUsername] = useState('');
  const [error, setError] = useState('');
  const submit = async () => {
    setError('');
    const user = await signUp(username.trim(), token ?? undefined);
    signedIn(user);
    if (recover) afterSignIn();
    navigate('/', { replace: true });
  };
  return (
    <div class="page welcome">
      <Hero />
      <form
        class="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          (e.currentTarget.querySelector('#sign-up') as HTMLButtonElement | null)?.click();
        }}
      >
        <h2>{t(recover ? 'recoverTitle' : 'signUpTitle')}</h2>
        {token ? null : <Notice kind="warn">{t('noToken')}</Notice>}
        <p class="muted">{t(recover ? 'recoverLead' : 'signUpLead')}</p>
        <UsernameField value={username} onInput={setUsername} />
        <ActionButton
          id="sign-up"
          class="primary big"
          disabled={!token || !username.trim()}
          onClick={submit}
          onError={(e) => setError(errorText(e))}
        >
          {t('createPasskey')}
        </ActionButton>
        {error ? <Notice kind="error">{error}</Notice> : null}
        <p class="muted small">
          {t('haveAccount')} <a href="/">{t('signIn')}</a>
        </p>
      </form>
    </div>
  );
}

const keyStash = (token: string) => `crewbell.invite.${token}`;

/** The logbook key from the link's fragment, kept for this tab only, then removed from the address bar. */
function useInviteKey(token: string): string | null {
  const [key] = useState(() => {
    const fromHash = new URLSearchParams(location.hash.slice(1)).get('k');
    try {
      if (fromHash) sessionStorage.setItem(keyStash(token), fromHash);
      return fromHash ?? sessionStorage.getItem(keyStash(token));
    } catch {
      return fromHash;
    }
  });
  useEffect(() => {
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  }, []);
  return key;
}

export function Join({ token }: { token: string }) {
  const { user } = useSession();
  const keyText = useInviteKey(token);
  const [info, setInfo] = useState<InviteInfo | null>(null);
  const [problem, setProblem] = useState<TextKey | null>(null);
  const [error, setError] = useState('');
  const [username, setUsername] = useState('');
  const [keyOk, setKeyOk] = useState<boolean | null>(null);

  useEffect(() => {
    if (!keyText) setKeyOk(false);
    else
      importLogbookKey(keyText).then(
        () => setKeyOk(true),
        () => setKeyOk(false),
      );
    api.invite(token).then(setInfo, (e) => {
      if (e instanceof ApiError && e.code === 'offline') setError(t('errOffline'));
      else setProblem('joinInvalid');
    });
  }, [token]);

  const finish = async (logbookId: string) => {
    await keepLogbookKey(logbookId, keyText!);
    try {
      sessionStorage.removeItem(keyStash(token));
    } catch {
      // nothing kept
    }
    await loadLogbooks();
    navigate(`/logbook/${logbookId}`, { replace: true });
  };
  const accept = async () => {
    try {
      const { logbookId } = await api.acceptInvite(token);
      await finish(logbookId);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) throw new Error(t('joinOwner'));
      if (e instanceof ApiError && e.code !== 'offline') throw new Error(t('errServer', { message: e.message }));
      throw e;
    }
  };
  const onError = (e: unknown) => setError(errorText(e));

  const roleText = info ? t(info.role === 'WRITE' ? 'roleWRITELong' : 'roleREADLong') : '';
  return (
    <div class="page welcome">
      <Hero />
      <div class="card stack">
        <h2>{t('joinTitle')}</h2>
        {problem ? <Notice kind="error">{t(problem)}</Notice> : null}
        {keyOk === false ? <Notice kind="error">{t('joinNoKey')}</Notice> : null}
        {info ? (
          <div class="invite-info">
            <p class="lead">{t('joinLead', { owner: info.ownerName })}</p>
            <p>
              <span class={`role role-${info.role}`}>{t(info.role === 'WRITE' ? 'roleWRITE' : 'roleREAD')}</span>{' '}
              {roleText}
            </p>
            <p class="muted small">{t('expires', { date: formatTime(info.expiresAt) })}</p>
          </div>
        ) : null}
        {info && keyOk && user ? (
          <ActionButton id="join" class="primary big" onClick={accept} onError={onError}>
            {t('join')}
          </ActionButton>
        ) : null}
        {info && keyOk && user === null ? (
          <>
            <UsernameField value={username} onInput={setUsername} />
            <ActionButton
              id="join-sign-up"
              class="primary big"
              disabled={!username.trim()}
              onClick={async () => {
                setError('');
                const created = await signUp(username.trim(), token);
                signedIn(created);
                // Signing up with a crew invite joins the logbook; accept only if it did not.
                await loadLogbooks();
                if (session().logbooks.some((l) => l.id === info.logbookId)) await finish(info.logbookId);
                else await accept();
              }}
              onError={onError}
            >
              {t('joinSignUp')}
            </ActionButton>
            <p class="muted small">{t('haveAccount')}</p>
            <ActionButton
              id="join-sign-in"
              class="ghost"
              onClick={async () => {
                setError('');
                signedIn(await signIn());
                afterSignIn();
                await accept();
              }}
              onError={onError}
            >
              {t('joinSignIn')}
            </ActionButton>
          </>
        ) : null}
        {error ? <Notice kind="error">{error}</Notice> : null}
      </div>
    </div>
  );
}
