// The home screen when signed in: your logbooks with your role, and starting a new one.
import { useState } from 'preact/hooks';
import { formatDate, t } from '../i18n.ts';
import { navigate } from '../router.ts';
import { createLogbook, useSession } from '../session.ts';
import { ActionButton, errorText, Icon, Notice, Page } from '../ui.tsx';

export function Logbooks() {
  const { logbooks, offline } = useSession();
  const [creating, setCreating] = useState(false);
  const [title, setTitle] = useState('');
  const [error, setError] = useState('');
  return (
    <Page
      title={t('logbooks')}
      sync
      actions={
        <a class="icon-btn" href="/settings" aria-label={t('settings')} id="open-settings">
          <Icon name="settings" />
        </a>
      }
    >
      {offline ? <Notice kind="warn">{t('offlineApp')}</Notice> : null}
      {creating ? (
        <form
          class="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            (e.currentTarget.querySelector('#create-logbook') as HTMLButtonElement | null)?.click();
          }}
        >
          <label class="field">
            <span>{t('title')}</span>
            <input
              name="title"
              required
              maxLength={120}
              placeholder={t('titlePlaceholder')}
              value={title}
              onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
            />
          </label>
          <div class="row">
            <button type="button" class="btn ghost" onClick={() => setCreating(false)}>
              {t('cancel')}
            </button>
            <ActionButton
              id="create-logbook"
              class="primary"
              disabled={!title.trim()}
              onClick={async () => {
                setError('');
                const id = await createLogbook(title.trim());
                setCreating(false);
                setTitle('');
                navigate(`/logbook/${id}`);
              }}
              onError={(e) => setError(errorText(e))}
            >
              {t('create')}
            </ActionButton>
          </div>
          {error ? <Notice kind="error">{error}</Notice> : null}
        </form>
      ) : null}
      {logbooks.length === 0 && !creating ? <p class="empty">{t('noLogbooks')}</p> : null}
      <ul class="list logbook-list">
        {logbooks.map((logbook) => (
          <li key={logbook.id}>
            <a class="list-item" href={`/logbook/${logbook.id}`} data-logbook={logbook.id}>
              <span class="list-icon">
                <Icon name="anchor" />
              </span>
              <span class="list-main">
                <span class={logbook.title === null ? 'list-title locked' : 'list-title'}>
                  {logbook.title ?? t('locked')}
                </span>
                <span class="list-sub">{t('since', { date: formatDate(logbook.createdAt) })}</span>
              </span>
              <span class={`role role-${logbook.role}`}>{t(`role${logbook.role}`)}</span>
            </a>
          </li>
        ))}
      </ul>
      {logbooks.length > 0 ? (
        <a id="open-sea-miles" class="btn ghost small" href="/sea-miles">
          {t('seaMiles')}
        </a>
      ) : null}
      {creating ? null : (
        <button id="new-logbook" type="button" class="fab" onClick={() => setCreating(true)}>
          <Icon name="plus" /> {t('newLogbook')}
        </button>
      )}
    </Page>
  );
}
