// The PWA's entry: registers the service worker, loads the session and picks the screen
// for the current path.
import { render, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './app.css';
import './logbook/logbook.css';
import { lang, loadLang, onLangChange, t } from './i18n.ts';
import { match, navigate, onLinkClick, useLocation } from './router.ts';
import { loadSession, session, useSession } from './session.ts';
import { refreshPendingCount, scheduleSync } from './sync.ts';
import { idbStore } from './offline/idb.ts';
import { Join, SignUp, Welcome } from './pages/auth.tsx';
import { Page } from './ui.tsx';
import { useStore } from './store.ts';

/**
 * A screen whose code is fetched on its first visit (a chunk the service worker keeps for
 * offline use), so the first load stays within its 30 KiB budget.
 */
function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return (props: P) => {
    const [, ready] = useState(0);
    const Loaded = loaded;
    useEffect(() => {
      // Another visit may have loaded it between this render and now.
      if (loaded) {
        if (!Loaded) ready(1);
      } else
        void load().then((component) => {
          loaded = component;
          ready(1);
        });
    }, []);
    return Loaded ? <Loaded {...props} /> : <div class="page loading" aria-busy="true" />;
  };
}

// The signed-in screens too: a signed-out first visit fetches only the welcome screen's code.
const Logbooks = lazyPage(() => import('./pages/logbooks.tsx').then((m) => m.Logbooks));
const LogbookPage = lazyPage(() => import('./pages/logbook.tsx').then((m) => m.LogbookPage));
const EntryForm = lazyPage(() => import('./pages/entry-form.tsx').then((m) => m.EntryForm));
const EntryHistoryPage = lazyPage(() => import('./pages/entry-history.tsx').then((m) => m.EntryHistoryPage));
const RecentlyDeletedPage = lazyPage(() => import('./pages/entry-history.tsx').then((m) => m.RecentlyDeletedPage));
const ExportPage = lazyPage(() => import('./pages/export.tsx').then((m) => m.ExportPage));
const PrintPage = lazyPage(() => import('./pages/export.tsx').then((m) => m.PrintPage));
const CrewPage = lazyPage(() => import('./pages/crew.tsx').then((m) => m.CrewPage));
const WatchPlanner = lazyPage(() => import('./watch/planner.tsx').then((m) => m.WatchPlanner));
const VoyagePage = lazyPage(() => import('./pages/voyage.tsx').then((m) => m.VoyagePage));
const PassagePage = lazyPage(() => import('./pages/passage.tsx').then((m) => m.PassagePage));
const SeaMilesPage = lazyPage(() => import('./pages/sea-miles.tsx').then((m) => m.SeaMilesPage));
const GpxImportPage = lazyPage(() => import('./pages/gpx-import.tsx').then((m) => m.GpxImportPage));
const SettingsPage = lazyPage(() => import('./pages/settings.tsx').then((m) => m.SettingsPage));
const VerifyEmail = lazyPage(() => import('./pages/verify-email.tsx').then((m) => m.VerifyEmail));

function Screen() {
  const { path, query } = useLocation();
  const { user } = useSession();
  let params: Record<string, string> | null;

  if (path === '/signup') return <SignUp token={query.get('token')} />;
  if (path === '/recover') return <SignUp token={query.get('token')} recover />;
  if (path === '/verify-email') return <VerifyEmail token={query.get('token')} />;
  if ((params = match('/join/:token', path))) return <Join token={params.token!} />;
  if (user === undefined) return <div class="page loading" aria-busy="true" />;
  if (user === null) return <Welcome />;

  if (path === '/') return <Logbooks />;
  if (path === '/settings') return <SettingsPage />;
  if (path === '/sea-miles') return <SeaMilesPage />;
  if ((params = match('/logbook/:id', path))) return <LogbookPage id={params.id!} />;
  if ((params = match('/logbook/:id/crew', path))) return <CrewPage id={params.id!} />;
  if ((params = match('/logbook/:id/watches', path))) return <WatchPlanner id={params.id!} />;
  if ((params = match('/logbook/:id/entry/new', path))) return <EntryForm id={params.id!} />;
  if ((params = match('/logbook/:id/entry/:entryId', path)))
    return <EntryForm id={params.id!} entryId={params.entryId!} />;
  if ((params = match('/logbook/:id/entry/:entryId/history', path)))
    return <EntryHistoryPage id={params.id!} entryId={params.entryId!} />;
  if ((params = match('/logbook/:id/deleted', path))) return <RecentlyDeletedPage id={params.id!} />;
  if ((params = match('/logbook/:id/export', path))) return <ExportPage id={params.id!} />;
  if ((params = match('/logbook/:id/print', path))) return <PrintPage id={params.id!} />;
  if ((params = match('/logbook/:id/voyage', path))) return <VoyagePage id={params.id!} />;
  if ((params = match('/logbook/:id/passage/:n', path)) && /^\d{1,5}$/.test(params.n!))
    return <PassagePage id={params.id!} n={Number(params.n)} />;
  if ((params = match('/logbook/:id/import', path))) return <GpxImportPage id={params.id!} />;
  return (
    <Page title="crewbell" back="/">
      <p class="empty">{t('notFound')}</p>
      <a class="btn ghost" href="/">
        {t('home')}
      </a>
    </Page>
  );
}

function App() {
  useStore(onLangChange, lang);
  return (
    // One listener turns in-app links into router moves; the links themselves stay links
    // (keyboard and screen readers use them as usual), so no key handler is needed here.
    // biome-ignore lint/a11y/noStaticElementInteractions: delegated link clicks, see above
    // biome-ignore lint/a11y/useKeyWithClickEvents: delegated link clicks, see above
    <div class="app" onClick={onLinkClick}>
      <Screen key={lang()} />
    </div>
  );
}

// The service worker cannot read localStorage; it renews subscriptions in this language.
const settings = idbStore<string>('settings');
const keepLang = () => void settings.put('lang', lang()).catch(() => undefined);
onLangChange(keepLang);
// The chosen language's texts come before the first render (English is already here).
void loadLang().then(() => {
  keepLang();
  render(<App />, document.getElementById('app')!);
});
void loadSession().then(() => {
  // The subscription goes to the server at every start (a rotated VAPID key renews it), the
  // badge is cleared, and again when the app comes back (web/src/device-heal.ts).
  if (session().user)
    void import('./device-heal.ts').then((heal) => heal.keepDeviceAlive(() => !!session().user)).catch(() => undefined);
  return refreshPendingCount();
});

addEventListener('online', () => scheduleSync(0));

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  // The service worker asks an open window to show a notification's page.
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'navigate' && typeof event.data.url === 'string') navigate(event.data.url);
  });
}
