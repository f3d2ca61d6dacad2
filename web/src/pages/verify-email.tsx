// /verify-email?token=…: the link crewbell mailed to confirm an address. It works without a
// session (it may be opened on another device than the one that gave the address).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { t } from '../i18n.ts';
import { Notice, Page } from '../ui.tsx';

export function VerifyEmail({ token }: { token: string | null }) {
  const [state, setState] = useState<{ done?: string; failed?: boolean }>({});
  useEffect(() => {
    if (!token) {
      setState({ failed: true });
      return;
    }
    api.verifyEmail(token).then(
      (r) => setState({ done: r.email ?? '' }),
      () => setState({ failed: true }),
    );
  }, [token]);
  return (
    <Page title={t('verifyTitle')}>
      <div class="card stack" id="verify-email" data-state={state.done ? 'done' : state.failed ? 'failed' : 'working'}>
        {state.done ? (
          <Notice kind="ok">{t('verifyDone', { email: state.done })}</Notice>
        ) : state.failed ? (
          <Notice kind="error">{t('verifyFailed')}</Notice>
        ) : (
          <p class="muted">{t('verifyWorking')}</p>
        )}
        <a class="btn ghost" href="/settings">
          {t('verifyToSettings')}
        </a>
      </div>
    </Page>
  );
}
