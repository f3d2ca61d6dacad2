// On-device export of a 10,000-entry logbook in headless Chromium: the PWA's own CSV and
// GPX buttons, against a real server, with the entries sealed by the logbook key in the
// device's IndexedDB (as a sync leaves them). Prints, per format, the time from the tap to
// the finished file and the longest the main thread was blocked meanwhile (by a 5 ms
// heartbeat, and by the Long Tasks API). Target: ≤ 2 s, no block over 100 ms. Not a test.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { startServer } from '../test/helpers/server.ts';
import { createUserWithSession } from '../test/helpers/accounts.ts';
import { launchBrowser, newPhone, useSession } from '../test/helpers/browser.ts';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Counts main-thread blocks and the moment a download link is clicked, inside the page. */
const PROBE = `
  window.__probe = { maxGap: 0, longTasks: [], downloadAt: 0 };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) window.__probe.downloadAt = performance.now();
    return click.call(this);
  };
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__probe.longTasks.push(e.duration); })
      .observe({ type: 'longtask', buffered: false });
  } catch {}
`;

/** Seals ENTRIES full log entries with the logbook's key and stores them as synced entries. */
async function seed(page: Page, logbookId: string): Promise<void> {
  await page.evaluate(
    async ({ logbookId, count }) => {
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const r = indexedDB.open('crewbell');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const get = (store: string, key: string) =>
        new Promise<any>((resolve, reject) => {
          const r = db.transaction(store).objectStore(store).get(key);
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const keyText: string = await get('keys', logbookId);
      const raw = Uint8Array.from(atob(keyText.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
      const b64url = (bytes: Uint8Array) => {
        let s = '';
        for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      };
      const start = Date.UTC(2026, 4, 1);
      for (let from = 0; from < count; from += 500) {
        const rows = await Promise.all(
          Array.from({ length: Math.min(500, count - from) }, async (_, k) => {
            const i = from + k;
            const entityId = crypto.randomUUID();
            const at = new Date(start + i * 20 * 60_000);
            const data = {
              time: at.toISOString().slice(0, 16),
              position: `${(54 + (i % 600) / 1000).toFixed(4)}, ${(10 + (i % 900) / 1000).toFixed(4)}`,
              course: String((i * 7) % 360).padStart(3, '0'),
              speed: (4 + (i % 30) / 10).toFixed(1),
              wind: 'SW 4',
              text: `Watch ${i}: steady breeze, a ferry crossing astern; "all well" on deck, Böen bis 6.`,
              baro: String(1000 + (i % 25)),
              log: (i * 2.1).toFixed(1),
              engineHours: String(1500 + Math.floor(i / 10)),
              sails: ['main', 'genoa'],
              sailsNote: '',
              sea: String(i % 6),
              visibility: 'good',
              cloud: String(i % 9),
              onWatch: 'Jörg, Åsa',
              helm: 'Åsa',
              fuel: '80',
              water: '120',
              events: i % 50 === 0 ? ['departure'] : [],
              eventNote: '',
            };
            const iv = crypto.getRandomValues(new Uint8Array(12));
            const sealed = new Uint8Array(
              await crypto.subtle.encrypt(
                { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`${logbookId}/${entityId}`) },
                key,
                new TextEncoder().encode(JSON.stringify(data)),
              ),
            );
            const payload = new Uint8Array(1 + 12 + sealed.length);
            payload[0] = 1;
            payload.set(iv, 1);
            payload.set(sealed, 13);
            return {
              logbookId,
              entityId,
              payload: b64url(payload),
              version: 1,
              deleted: false,
              updatedAt: at.getTime(),
              updatedBy: null,
              createdBy: null,
            };
          }),
        );
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('entries', 'readwrite');
          for (const row of rows) tx.objectStore('entries').put(row, `${logbookId}/${row.entityId}`);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      }
      db.close();
    },
    { logbookId, count: ENTRIES },
  );
}

/** utime + stime of a process in ms (Linux /proc; 100 clock ticks per second), 0 once gone. */
function cpuMs(pid: number, file = `/proc/${pid}/stat`): number {
  try {
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Every process descended from this one except the server: Chromium's browser, renderer, GPU and utility processes. */
function browserPids(serverPid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parent.set(Number(name), Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === serverPid) return false;
      if (p === process.pid) return true;
    }
    return false;
  };
  return [...parent.keys()].filter((pid) => pid !== serverPid && mine(pid));
}

interface Run {
  /** CPU time all of Chromium's processes spent, in ms: what the export costs, whatever else the machine runs. */
  cpuMs: number;
  /** CPU time of the page's main thread, in ms: roughly the wall time on an idle machine, when the main thread is what waits. */
  mainCpuMs: number;
  ms: number;
  maxGapMs: number;
  longestTaskMs: number;
  bytes: number;
  lines: number;
}

async function exportOnce(page: Page, logbookId: string, button: string, serverPid: number): Promise<Run> {
  await page.goto(`${page.url().split('/logbook/')[0]}/logbook/${logbookId}/export`);
  await page.locator(`${button}:not([disabled])`).waitFor();
  // A 5 ms heartbeat: the longest gap between beats is the longest the page could not respond.
  await page.evaluate(() => {
    const probe = (window as any).__probe;
    probe.maxGap = 0;
    probe.longTasks = [];
    probe.downloadAt = 0;
    let last = performance.now();
    probe.beat = setInterval(() => {
      const now = performance.now();
      probe.maxGap = Math.max(probe.maxGap, now - last);
      last = now;
    }, 5);
  });
  const pids = browserPids(serverPid);
  const renderers = pids.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer'));
  // A renderer's main thread is the thread whose id is the process id.
  const mainThreads = () => renderers.reduce((sum, pid) => sum + cpuMs(pid, `/proc/${pid}/task/${pid}/stat`), 0);
  const cpuBefore = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const mainBefore = mainThreads();
  const startedAt: number = await page.evaluate(() => performance.now());
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click(button)]);
  const probe = await page.evaluate(() => {
    const p = (window as any).__probe;
    clearInterval(p.beat);
    return { maxGap: p.maxGap, longTasks: p.longTasks as number[], downloadAt: p.downloadAt };
  });
  const cpu = pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore;
  const mainCpu = mainThreads() - mainBefore;
  const text = readFileSync((await download.path())!, 'utf8');
  return {
    cpuMs: cpu,
    mainCpuMs: mainCpu,
    ms: probe.downloadAt - startedAt,
    maxGapMs: probe.maxGap,
    longestTaskMs: Math.max(0, ...probe.longTasks),
    bytes: Buffer.byteLength(text),
    lines: text.split('\n').length - 1,
  };
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const skipper = createUserWithSession(server, 'skipper');
  const context = await newPhone(browser);
  await useSession(context, server, skipper);
  await context.addInitScript(PROBE);
  const page = await context.newPage();
  await page.goto(server.origin);
  await page.click('#new-logbook');
  await page.fill('input[name="title"]', 'Mira');
  await page.click('#create-logbook');
  await page.waitForURL(/\/logbook\/[0-9a-f-]{36}$/);
  const logbookId = new URL(page.url()).pathname.split('/')[2]!;
  // The first visit pulls the (empty) logbook from the start, which drops cached entries the
  // server lacks: wait for its cursor (later pulls only add), then leave the syncing page.
  await page.waitForFunction(
    (id) =>
      new Promise((resolve) => {
        const r = indexedDB.open('crewbell');
        r.onsuccess = () => {
          const get = r.result.transaction('cursors').objectStore('cursors').get(id);
          get.onsuccess = () => resolve(get.result !== undefined);
          get.onerror = () => resolve(false);
        };
        r.onerror = () => resolve(false);
      }),
    logbookId,
    { polling: 200, timeout: 60_000 },
  );
  await page.goto(`${server.origin}/logbook/${logbookId}/export`);
  const seeded = Date.now();
  await seed(page, logbookId);
  console.log(
    `machine: load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (wall times stretch with it; CPU time does not)`,
  );
  console.log(`seeded ${ENTRIES} sealed entries into IndexedDB in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

  for (const [format, button] of [
    ['CSV', '#export-csv'],
    ['GPX', '#export-gpx'],
  ] as const) {
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await exportOnce(page, logbookId, button, server.process.pid!));
    const times = runs.map((r) => r.ms).sort((a, b) => a - b);
    const cpu = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
    const mainCpu = runs.map((r) => r.mainCpuMs).sort((a, b) => a - b);
    console.log(
      `${format} of ${ENTRIES} entries: median ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(2)} s, ` +
        `worst ${(times[times.length - 1]! / 1000).toFixed(2)} s (target ≤ 2 s), Chromium CPU time median ` +
        `${(cpu[Math.floor(cpu.length / 2)]! / 1000).toFixed(2)} s (the page's main thread ${(mainCpu[Math.floor(mainCpu.length / 2)]! / 1000).toFixed(2)} s); longest main-thread block ` +
        `${Math.max(...runs.map((r) => r.maxGapMs)).toFixed(0)} ms by heartbeat, longest long task ` +
        `${Math.max(...runs.map((r) => r.longestTaskMs)).toFixed(0)} ms (target ≤ 100 ms); ` +
        `file ${(runs[0]!.bytes / 1024 / 1024).toFixed(1)} MiB, ${runs[0]!.lines} lines`,
    );
    if (format === 'CSV' && runs.some((r) => r.lines !== ENTRIES + 1))
      throw new Error(`a CSV lacks entries: ${runs.map((r) => r.lines).join(', ')} lines`);
    if (format === 'GPX' && runs.some((r) => r.lines !== ENTRIES + 6))
      throw new Error(`a GPX lacks points: ${runs.map((r) => r.lines).join(', ')} lines`);
  }
} finally {
  await browser.close();
  await server.stop();
  server.cleanup();
}
