// Crew of one logbook: who is on board, invites (link + QR code to scan on deck) for the
// owner, the key link for your own other devices, removing crew, leaving, and deleting the
// logbook.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Member } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { forgetLogbookKey, logbookKeyText } from '../keys.ts';
import { reverify } from '../passkeys.ts';
import { navigate } from '../router.ts';
import { loadLogbooks, useSession } from '../session.ts';
import { forgetLogbook } from '../sync.ts';
import { ActionButton, errorText, Notice, Page } from '../ui.tsx';
import { OpenInvites, RoleSelect } from '../logbook/crew-admin.tsx';

interface Invite {
  link: string;
  role: 'WRITE' | 'READ';
  expiresAt: string | number;
  qr: string;
}

async function qrDataUrl(text: string): Promise<string> {
  // The QR encoder is loaded only here, so the rest of the app stays small.
  const loaded = await import('qrcode');
  // A CommonJS module: its functions sit on `default` once bundled.
  const qrcode = loaded.default ?? loaded;
  const svg = await qrcode.toString(text, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
    color: { dark: '#0b3954', light: '#ffffff' },
  });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** A link with its QR code, to copy, share or scan on deck. */
function LinkCard(props: {
  link: string;
  qr: string;
  caption: ComponentChildren;
  label: string;
  inputId: string;
  onError: (e: unknown) => void;
}) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [props.link]);
  return (
    <div class="invite">
      <img class="qr" src={props.qr} alt={props.label} width={220} height={220} />
      <p class="muted small center">{props.caption}</p>
      <label class="field">
        <span>{props.label}</span>
        <textarea
          id={props.inputId}
          class="link-text"
          readOnly
          rows={Math.max(2, Math.ceil(props.link.length / 30))}
          value={props.link}
          onFocus={(e) => (e.target as HTMLTextAreaElement).select()}
        />
      </label>
      <div class="row">
        <ActionButton
          class="ghost grow"
          onClick={async () => {
            await navigator.clipboard.writeText(props.link);
            setCopied(true);
          }}
          onError={props.onError}
        >
          {copied ? `✓ ${t('copied')}` : t('copy')}
        </ActionButton>
        {'share' in navigator ? (
          <ActionButton
            class="ghost grow"
            onClick={() => navigator.share({ title: 'crewbell', url: props.link }).catch(() => undefined)}
          >
            {t('share')}
          </ActionButton>
        ) : null}
      </div>
    </div>
  );
}

/** The logbook key as a link for the user's own other devices (the key only in the fragment). */
function KeyLinkSection({ id, onError }: { id: string; onError: (e: unknown) => void }) {
  const [keyText, setKeyText] = useState<string | undefined>(undefined);
  const [shown, setShown] = useState<{ link: string; qr: string } | null>(null);
  useEffect(() => void logbookKeyText(id).then(setKeyText), [id]);
  if (!keyText) return null;
  const show = async () => {
    const link = `${location.origin}/logbook/${encodeURIComponent(id)}#k=${keyText}`;
    setShown({ link, qr: await qrDataUrl(link) });
  };
  return (
    <section class="card stack" id="key-section">
      <h2>{t('keyLinkTitle')}</h2>
      <p class="muted small">{t('keyLinkLead')}</p>
      <Notice kind="warn">{t('keyLinkSafe')}</Notice>
      {shown ? (
        <LinkCard
          link={shown.link}
          qr={shown.qr}
          caption={t('keyLinkScan')}
          label={t('keyLink')}
          inputId="key-link"
          onError={onError}
        />
      ) : (
        <ActionButton id="key-link-show" class="ghost" onClick={show} onError={onError}>
          {t('keyLinkShow')}
        </ActionButton>
      )}
    </section>
  );
}

export function CrewPage({ id }: { id: string }) {
  const { user, logbooks } = useSession();
  const logbook = logbooks.find((l) => l.id === id);
  const isOwner = logbook?.role === 'OWNER';
  const [members, setMembers] = useState<Member[]>([]);
  const [invite, setInvite] = useState<Invite | null>(null);
  const [error, setError] = useState('');
  const onError = (e: unknown) => setError(errorText(e));

  const reload = () =>
    api.members(id).then(
      (r) => setMembers(r.members),
      (e) => setError(e instanceof ApiError && e.code === 'offline' ? t('errOffline') : errorText(e)),
    );
  useEffect(() => void reload(), [id]);

  const makeInvite = async (role: 'WRITE' | 'READ') => {
    setError('');
    const keyText = await logbookKeyText(id);
    if (!keyText) throw new Error(t('errLocked'));
    const { token, expiresAt } = await api.createInvite(id, role);
    // The key travels only in the fragment, which browsers never send to a server.
    const link = `${location.origin}/join/${encodeURIComponent(token)}#k=${keyText}`;
    setInvite({ link, role, expiresAt, qr: await qrDataUrl(link) });
  };

  const leave = async () => {
    await api.removeMember(id, user!.id);
    await forgetLogbook(id);
    await forgetLogbookKey(id);
    await loadLogbooks();
    navigate('/', { replace: true });
  };

  return (
    <Page title={`${t('crew')} · ${logbook?.title ?? t('locked')}`} back={`/logbook/${id}`}>
      {isOwner ? (
        <section class="card stack">
          <h2>{t('inviteTitle')}</h2>
          <p class="muted small">{t('inviteLead')}</p>
          <div class="row wrap">
            <ActionButton id="invite-write" class="primary" onClick={() => makeInvite('WRITE')} onError={onError}>
              {t('inviteWrite')}
            </ActionButton>
            <ActionButton id="invite-read" class="ghost" onClick={() => makeInvite('READ')} onError={onError}>
              {t('inviteRead')}
            </ActionButton>
          </div>
          {invite ? (
            <LinkCard
              link={invite.link}
              qr={invite.qr}
              caption={
                <>
                  {t('scanOnDeck')} · <span class={`role role-${invite.role}`}>{t(`role${invite.role}`)}</span> ·{' '}
                  {t('expires', { date: formatTime(invite.expiresAt) })}
                </>
              }
              label={t('inviteLink')}
              inputId="invite-link"
              onError={onError}
            />
          ) : null}
        </section>
      ) : null}
      {isOwner ? <OpenInvites logbookId={id} refresh={invite} onError={onError} /> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      <section class="card">
        <h2>{t('members')}</h2>
        <ul class="list members">
          {members.map((m) => (
            <li key={m.userId} class="member" data-member={m.username}>
              <span class="avatar">{m.username.slice(0, 1).toUpperCase()}</span>
              <span class="list-main">
                {m.username}
                {m.userId === user?.id ? <span class="muted"> ({t('you')})</span> : null}
              </span>
              {isOwner && m.role !== 'OWNER' ? (
                <RoleSelect logbookId={id} member={m} onChanged={() => void reload()} onError={onError} />
              ) : (
                <span class={`role role-${m.role}`}>{t(`role${m.role}`)}</span>
              )}
              {isOwner && m.role !== 'OWNER' ? (
                <ActionButton
                  class="ghost small danger"
                  onClick={async () => {
                    if (!confirm(t('confirmRemove', { name: m.username }))) return;
                    await api.removeMember(id, m.userId);
                    await reload();
                  }}
                  onError={onError}
                >
                  {t('remove')}
                </ActionButton>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <KeyLinkSection id={id} onError={onError} />
      {logbook && !isOwner ? (
        <ActionButton
          id="leave"
          class="danger ghost wide"
          onClick={async () => confirm(t('confirmLeave')) && leave()}
          onError={onError}
        >
          {t('leave')}
        </ActionButton>
      ) : null}
      {isOwner ? (
        <ActionButton
          id="delete-logbook"
          class="danger ghost wide"
          onClick={async () => {
            if (!confirm(t('confirmDeleteLogbook'))) return;
            await reverify();
            await api.deleteLogbook(id);
            await forgetLogbook(id);
            await forgetLogbookKey(id);
            await loadLogbooks();
            navigate('/', { replace: true });
          }}
          onError={onError}
        >
          {t('deleteLogbook')}
        </ActionButton>
      ) : null}
    </Page>
  );
}
