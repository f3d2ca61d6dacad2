// A first frame slower than the server: a script for the page (before its own) that holds
// every timer and animation frame until the given answers have been read, as a busy phone
// or WebKit does. Effects (Preact runs them after the frame) then start after the answers.

/**
 * Plain JS for addInitScript / evaluateOnNewDocument; `window.__firstFrameHeld` counts what
 * it held. The frame ends `lingerMs` after the last of `answers` (API paths) was read.
 */
export function slowFirstFrame(answers: string[] = ['/api/auth/session'], lingerMs = 0): string {
  return `(() => {
  const waiting = new Set(${JSON.stringify(answers)});
  const realTimeout = window.setTimeout.bind(window);
  const realClear = window.clearTimeout.bind(window);
  const realFrame = window.requestAnimationFrame.bind(window);
  const realCancel = window.cancelAnimationFrame.bind(window);
  const realFetch = window.fetch.bind(window);
  const held = new Map();
  const started = new Map();
  let holding = true;
  let next = 1e6;
  window.__firstFrameHeld = 0;
  const hold = (start) => {
    const id = next++;
    held.set(id, start);
    window.__firstFrameHeld++;
    return id;
  };
  window.setTimeout = (fn, ms, ...args) =>
    holding ? hold(() => realTimeout(fn, ms, ...args)) : realTimeout(fn, ms, ...args);
  window.requestAnimationFrame = (fn) => (holding ? hold(() => realFrame(fn)) : realFrame(fn));
  const cancel = (real) => (id) => {
    if (held.delete(id)) return;
    real(started.get(id) ?? id);
  };
  window.clearTimeout = cancel(realClear);
  window.cancelAnimationFrame = cancel(realCancel);
  const release = () => {
    holding = false;
    for (const [id, start] of held) started.set(id, start());
    held.clear();
  };
  window.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const path = new URL(String(input.url ?? input), location.href).pathname;
    if (holding && waiting.has(path)) {
      const text = response.text.bind(response);
      // The app has handled the answer by the next task: only then (or later) does the frame end.
      response.text = () =>
        text().then((body) => {
          waiting.delete(path);
          if (waiting.size === 0) realTimeout(release, ${lingerMs});
          return body;
        });
    }
    return response;
  };
})();`;
}
