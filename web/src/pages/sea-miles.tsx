// My sea miles: every passage of every logbook the user sails in (those whose key is on
// this device), totals per year, a CSV, and a printable A4 record with room for the
// skipper's signature, as sailing schools and licences ask for.
import { useEffect, useState } from 'preact/hooks';
import { csvDelimiter, formatTime, t } from '../i18n.ts';
import { logbookKey } from '../keys.ts';
import { useSession } from '../session.ts';
import { listEntries, watchLogbook } from '../sync.ts';
import { Page, useSyncState } from '../ui.tsx';
import { download } from '../export/entries.ts';
import { splitPassages } from '../voyage/passages.ts';
import { seaMilesCsv, seaMilesRows, yearTotals, type Role, type SeaMilesRow } from '../voyage/sea-miles.ts';
import { fixed1 } from '../voyage/use-voyage.ts';

const roleName = (role: Role) => t(`role${role}`);

export function SeaMilesPage() {
  const { user, logbooks } = useSession();
  const [rows, setRows] = useState<SeaMilesRow[] | undefined>(undefined);
  const sync = useSyncState();
  // Every logbook is pulled while this screen is open, so the miles include the latest entries.
  useEffect(() => {
    const stops = logbooks.filter((l) => l.title !== null).map((l) => watchLogbook(l.id));
    return () => {
      for (const stop of stops) stop();
    };
  }, [logbooks]);
  useEffect(() => {
    let gone = false;
    void Promise.all(
      logbooks
        .filter((l) => l.title !== null)
        .map(async (l) => {
          const key = await logbookKey(l.id);
          if (!key) return null;
          const entries = (await listEntries(l.id, key)).flatMap((r) =>
            r.data ? [{ id: r.entry.entityId, data: r.data }] : [],
          );
          return { id: l.id, title: l.title!, role: l.role, passages: splitPassages(entries) };
        }),
    ).then((books) => {
      if (!gone) setRows(seaMilesRows(books.filter((b) => b !== null)));
    });
    return () => {
      gone = true;
    };
  }, [logbooks, sync.revision]);
  const totals = rows ? yearTotals(rows) : [];
  const csv = () =>
    download(
      `sea-miles-${new Date().toISOString().slice(0, 10)}.csv`,
      new Blob(
        [
          seaMilesCsv(
            rows ?? [],
            {
              logbook: t('csvLogbook'),
              role: t('csvRole'),
              passage: t('csvPassage'),
              from: t('csvFrom'),
              to: t('csvTo'),
              miles: t('csvMiles'),
              night: t('csvNight'),
              hours: t('csvHours'),
            },
            roleName,
            csvDelimiter(),
          ),
        ],
        { type: 'text/csv;charset=utf-8' },
      ),
    );
  return (
    <Page title={t('seaMiles')} back="/">
      <div class="sea-miles print-page" data-ready={rows ? 'yes' : 'no'}>
        <p class="muted small no-print">{t('seaMilesLead')}</p>
        <header class="print-only print-head">
          <h1>{t('seaMilesRecordTitle')}</h1>
          <p>
            <strong>{t('seaMilesSailor')}:</strong> {user?.username}
          </p>
        </header>
        <div class="row wrap no-print">
          <button id="sea-miles-csv" type="button" class="btn ghost small" disabled={!rows?.length} onClick={csv}>
            {t('seaMilesCsv')}
          </button>
          <button id="sea-miles-print" type="button" class="btn ghost small" onClick={() => print()}>
            {t('seaMilesPrint')}
          </button>
        </div>
        {rows && rows.length === 0 ? <p class="empty">{t('seaMilesNone')}</p> : null}
        {totals.length ? (
          <table id="sea-miles-years" class="sea-miles-table">
            <thead>
              <tr>
                <th>{t('seaMilesYear')}</th>
                <th class="num">{t('seaMilesPassages')}</th>
                <th class="num">nm</th>
                <th class="num">{t('csvNight')}</th>
              </tr>
            </thead>
            <tbody>
              {totals.map((y) => (
                <tr key={y.year}>
                  <td>{y.year}</td>
                  <td class="num">{y.passages}</td>
                  <td class="num">{fixed1(y.miles)}</td>
                  <td class="num">{fixed1(y.nightHours)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {rows?.length ? (
          <table id="sea-miles-passages" class="sea-miles-table">
            <thead>
              <tr>
                <th>{t('csvLogbook')}</th>
                <th>{t('seaMilesWhen')}</th>
                <th class="num">nm</th>
                <th class="num">{t('pNight')}</th>
                <th>{t('csvRole')}</th>
              </tr>
            </thead>
            <tbody>
              {[...rows].reverse().map((r) => (
                <tr key={`${r.logbookId}/${r.passage}`}>
                  <td>
                    {r.logbook} · {r.passage}
                  </td>
                  <td>
                    {formatTime(r.start)} – {formatTime(r.end)}
                  </td>
                  <td class="num">{fixed1(r.miles)}</td>
                  <td class="num">{fixed1(r.nightHours)}</td>
                  <td>{roleName(r.role)}</td>
                </tr>
              ))}
              <tr class="total">
                <td colSpan={2}>{t('seaMilesTotal')}</td>
                <td class="num">{fixed1(rows.reduce((sum, r) => sum + r.miles, 0))}</td>
                <td class="num">{fixed1(rows.reduce((sum, r) => sum + r.nightHours, 0))}</td>
                <td />
              </tr>
            </tbody>
          </table>
        ) : null}
        <footer class="print-only signature">
          <div>
            <span class="line" />
            {t('seaMilesDate')}
          </div>
          <div>
            <span class="line" />
            {t('seaMilesSignature')}
          </div>
        </footer>
      </div>
    </Page>
  );
}
