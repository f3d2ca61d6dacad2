// The few building blocks every screen uses: the top bar with the sync chip, notices,
// buttons that show they are busy.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n.ts';
import { onSync, syncState, type SyncState } from './sync.ts';

export function Mark({ size = 28 }: { size?: number }) {
  return (
    <svg class="mark" width={size} height={size} viewBox="0 0 64 64" aria-hidden="true">
      <circle cx="32" cy="32" r="32" fill="#0b3954" />
      <path d="M33 12 L33 44 L16 44 Z" fill="#f4f1ea" />
      <path d="M36 18 L36 44 L48 44 Z" fill="#f28f3b" />
      <path d="M14 48 Q32 56 50 48" stroke="#f4f1ea" stroke-width="3" fill="none" stroke-linecap="round" />
    </svg>
  );
}

export function useSyncState(): SyncState {
  const [s, setS] = useState(syncState());
  useEffect(() => onSync(setS), []);
  return s;
}

export function SyncChip() {
  const s = useSyncState();
  let text = t('syncSynced');
  if (s.status === 'syncing') text = t('syncSyncing');
  else if (s.status === 'offline') text = s.pending ? t('syncOffline', { n: s.pending }) : t('syncOfflineNone');
  else if (s.pending) text = t('syncPending', { n: s.pending });
  else if (s.status === 'error') text = t('syncError', { message: s.message ?? '' });
  return (
    <span class={`chip chip-${s.pending && s.status !== 'syncing' ? 'waiting' : s.status}`} role="status" data-sync={s.status} data-pending={s.pending}>
      <span class="dot" />
      {text}
    </span>
  );
}

export function Page(props: { title: string; back?: string; actions?: ComponentChildren; children: ComponentChildren; sync?: boolean }) {
  return (
    <div class="page">
      <header class="bar">
        {props.back ? (
          <a class="bar-back" href={props.back} aria-label={t('back')}>
            ‹
          </a>
        ) : (
          <a class="bar-home" href="/" aria-label="crewbell">
            <Mark />
          </a>
        )}
        <h1 class="bar-title">{props.title}</h1>
        <div class="bar-actions">{props.actions}</div>
      </header>
      {props.sync ? (
        <div class="syncline">
          <SyncChip />
        </div>
      ) : null}
      <main class="content">{props.children}</main>
    </div>
  );
}

export function Notice(props: { kind?: 'error' | 'info' | 'ok' | 'warn'; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${props.kind ?? 'info'}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}

/** A button that runs an async action once, shows it is busy and reports a failure. */
export function ActionButton(props: {
  onClick: () => Promise<unknown>;
  children: ComponentChildren;
  class?: string;
  disabled?: boolean;
  onError?: (error: unknown) => void;
  type?: 'button' | 'submit';
  id?: string;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      id={props.id}
      type={props.type ?? 'button'}
      class={`btn ${props.class ?? ''}`}
      disabled={busy || props.disabled}
      aria-busy={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await props.onClick();
        } catch (error) {
          props.onError?.(error);
        } finally {
          setBusy(false);
        }
      }}
    >
      {props.children}
    </button>
  );
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
