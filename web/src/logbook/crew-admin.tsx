// The skipper's side of the crew screen: a crew member's role changed in place, and the
// invites still open, each one revocable (its link dies at once). Tokens are never listed.
import { useEffect, useState } from 'preact/hooks';
import { api, type Member, type OpenInviteRow } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { ActionButton } from '../ui.tsx';

export function RoleSelect({
  logbookId,
  member,
  onChanged,
  onError,
}: {
  logbookId: string;
  member: Member;
  onChanged: () => void;
  onError: (e: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <select
      class="role-select"
      data-role-of={member.username}
      aria-label={t('roleLabel', { name: member.username })}
      value={member.role}
      disabled={busy}
      onChange={async (e) => {
        const role = (e.target as HTMLSelectElement).value as 'WRITE' | 'READ';
        setBusy(true);
        try {
          await api.setRole(logbookId, member.userId, role);
          onChanged();
        } catch (error) {
          (e.target as HTMLSelectElement).value = member.role;
          onError(error);
        } finally {
          setBusy(false);
        }
      }}
    >
      <option value="WRITE">{t('roleWRITE')}</option>
      <option value="READ">{t('roleREAD')}</option>
    </select>
  );
}

/** Open invites of a logbook; `refresh` changes when a new invite was made. */
export function OpenInvites({
  logbookId,
  refresh,
  onError,
}: {
  logbookId: string;
  refresh: unknown;
  onError: (e: unknown) => void;
}) {
  const [invites, setInvites] = useState<OpenInviteRow[] | undefined>(undefined);
  const reload = () => api.openInvites(logbookId).then((r) => setInvites(r.invites), onError);
  useEffect(() => void reload(), [logbookId, refresh]);
  if (!invites) return null;
  return (
    <section class="card" id="open-invites">
      <h2>{t('openInvites')}</h2>
      {invites.length === 0 ? <p class="muted small">{t('noOpenInvites')}</p> : null}
      <ul class="list">
        {invites.map((invite) => (
          <li key={invite.id} class="open-invite" data-invite={invite.id}>
            <span class={`role role-${invite.role}`}>{t(`role${invite.role}`)}</span>
            <span class="list-main muted small">
              {t('inviteMade', { date: formatTime(invite.createdAt) })} ·{' '}
              {t('expires', { date: formatTime(invite.expiresAt) })}
            </span>
            <ActionButton
              class="ghost small danger revoke-invite"
              onClick={async () => {
                if (!confirm(t('confirmRevoke'))) return;
                await api.revokeInvite(logbookId, invite.id);
                await reload();
              }}
              onError={onError}
            >
              {t('revoke')}
            </ActionButton>
          </li>
        ))}
      </ul>
    </section>
  );
}
