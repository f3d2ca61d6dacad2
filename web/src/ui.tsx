// The few building blocks every screen uses: the top bar with the sync chip, notices,
// buttons that show they are busy.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { t } from './i18n.ts';
import { useStore } from './store.ts';
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
  return useStore(onSync, syncState);
}

function SyncChip() {
  const s = useSyncState();
  let text = t('syncSynced');
  if (s.status === 'syncing') text = t('syncSyncing');
  else if (s.status === 'offline') text = s.pending ? t('syncOffline', { n: s.pending }) : t('syncOfflineNone');
  else if (s.pending) text = t('syncPending', { n: s.pending });
  else if (s.status === 'error') text = t('syncError', { message: s.message ?? '' });
  return (
    <span
      class={`chip chip-${s.pending && s.status !== 'syncing' ? 'waiting' : s.status}`}
      role="status"
      data-sync={s.status}
      data-pending={s.pending}
    >
      <span class="dot" />
      {text}
    </span>
  );
}

export function Page(props: {
  title: string;
  back?: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
  sync?: boolean;
}) {
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

const ICONS = {
  crew: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm7 0a3 3 0 1 0 0-6M2 21v-1a6 6 0 0 1 6-6h2a6 6 0 0 1 6 6v1m1-7a5 5 0 0 1 5 5v2',
  settings:
    'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7.4-3a7.4 7.4 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7.6 7.6 0 0 0-2-1.2L14.5 3h-4l-.4 2.6a7.6 7.6 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7.6 7.6 0 0 0 2 1.2l.4 2.6h4l.4-2.6a7.6 7.6 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2z',
  anchor: 'M12 8a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zm0 0v13m-7-8a7 7 0 0 0 14 0M3 13h4m10 0h4M8 11h8',
  locate: 'M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0-14v4m0 12v4M2 12h4m12 0h4',
  pending: 'M21 12a9 9 0 1 1-3-6.7M21 3v6h-6',
  plus: 'M12 5v14M5 12h14',
};

export function Icon({ name, size = 22 }: { name: keyof typeof ICONS; size?: number }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={ICONS[name]} />
    </svg>
  );
}
