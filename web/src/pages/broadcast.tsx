// The admin's message to every device of every account (POST /api/admin/push/broadcast), in
// the settings of an admin only; it shows how far the last one has got while it is sent.
import { useEffect, useState } from 'preact/hooks';
import { api, type BroadcastInfo } from '../api.ts';
import { t } from '../i18n.ts';
import { ActionButton, errorText, Notice } from '../ui.tsx';

export function BroadcastSection() {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [last, setLast] = useState<BroadcastInfo | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    api.lastBroadcast().then(
      (r) => setLast(r.broadcast),
      (e) => setError(errorText(e)),
    );
  useEffect(() => void load(), []);
  // While it is being sent, look again every two seconds.
  useEffect(() => {
    if (!last || last.remaining === 0) return;
    const timer = setTimeout(() => void load(), 2000);
    return () => clearTimeout(timer);
  }, [last]);
  return (
    <section class="card stack" id="broadcast">
      <h2>{t('broadcastTitle')}</h2>
      <p class="muted">{t('broadcastHint')}</p>
      <label>
        {t('broadcastHeading')}
        <input id="broadcast-title" maxLength={100} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        {t('broadcastBody')}
        <textarea id="broadcast-body" maxLength={500} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
      </label>
      <ActionButton
        id="broadcast-send"
        disabled={!title.trim() || !body.trim()}
        onClick={async () => {
          setError('');
          if (!confirm(t('broadcastConfirm'))) return;
          setLast((await api.broadcast(title, body)).broadcast);
          setTitle('');
          setBody('');
        }}
        onError={(e) => setError(errorText(e))}
      >
        {t('broadcastSend')}
      </ActionButton>
      {last ? (
        <Notice kind={last.remaining === 0 ? 'ok' : 'info'}>
          {t('broadcastProgress', { done: last.devices - last.remaining, n: last.devices })}
        </Notice>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </section>
  );
}
