// What a phone must never show, checked in the page itself: a page that scrolls sideways,
// an input whose text is cut while not focused, a button or link without a visible name,
// text that overflows its box, "1 entries". One plain function for every engine's driver.

/**
 * The flaws on the screen `win` shows, one line each (empty: none). Runs in the page: it
 * uses nothing from outside its body, so `layoutGuardScript` can send its source as text.
 */
export function layoutFlaws(win: Window): string[] {
  const doc = win.document;
  const flaws: string[] = [];
  const seen = (el: Element): string => (el as HTMLElement).innerText ?? '';
  const width = doc.documentElement.clientWidth;
  const describe = (el: Element): string => {
    const id = el.id ? `#${el.id}` : '';
    const cls =
      typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ''}`;
  };
  const shown = (el: Element): boolean => {
    // A closed <details> keeps its content laid out but never shows it.
    const closed = el.closest('details:not([open])');
    if (closed && !el.closest('summary')) return false;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return false;
    const style = win.getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && Number(style.opacity) > 0;
  };
  /** Inside a box whose overflow is one of `kinds` (checked itself, its content not). */
  const inBox = (el: Element, kinds: string[]): boolean => {
    for (let p = el.parentElement; p && p !== doc.body; p = p.parentElement) {
      if (kinds.includes(win.getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  /** Inside a box that scrolls sideways on purpose (a wide table in its own scroller). */
  const inScroller = (el: Element): boolean => inBox(el, ['auto', 'scroll']);
  /** Or in one that cuts off what lies beyond its edges (a map's tiles): nothing of it reaches past the screen. */
  const inClipper = (el: Element): boolean => inBox(el, ['auto', 'scroll', 'hidden', 'clip']);
  /** WCAG's contrast ratio between the text colour and the first opaque background behind it. */
  const rgb = (color: string): number[] => (color.match(/[\d.]+/g) ?? []).map(Number);
  const luminance = ([r, g, b]: number[]): number => {
    const c = [r, g, b].map((v) => {
      const x = (v ?? 0) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
  };
  const contrast = (el: Element): number => {
    let back = [255, 255, 255];
    for (let p: Element | null = el; p; p = p.parentElement) {
      // A gradient or picture behind it: its colour is not known here, so no verdict.
      if (win.getComputedStyle(p).backgroundImage !== 'none') return 21;
      const c = rgb(win.getComputedStyle(p).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3]! > 0.5)) {
        back = c;
        break;
      }
    }
    const [a, b] = [luminance(rgb(win.getComputedStyle(el).color)), luminance(back)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const all = Array.from(doc.body.querySelectorAll('*')).filter(
    (el) => !['SCRIPT', 'STYLE', 'TEMPLATE', 'OPTION', 'DATALIST'].includes(el.tagName),
  );

  // 1. Nothing scrolls sideways: the page is no wider than the screen, nothing sticks out.
  if (doc.documentElement.scrollWidth > width + 1)
    flaws.push(`the page scrolls sideways (${doc.documentElement.scrollWidth} px wide on a ${width} px screen)`);
  for (const el of all) {
    if (!shown(el) || inClipper(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 || box.left < -1)
      flaws.push(
        `${describe(el)} sticks out of the screen (${Math.round(box.left)}..${Math.round(box.right)} of ${width} px)`,
      );
  }

  // 2. No input's text is cut while it is not focused.
  for (const input of Array.from(doc.querySelectorAll('input, textarea'))) {
    const el = input as HTMLInputElement;
    const textLike =
      el.tagName === 'TEXTAREA' || ['text', 'search', 'url', 'email', 'tel', 'number', ''].includes(el.type);
    if (!textLike || !shown(el) || el === doc.activeElement) continue;
    const shows = el.value || el.placeholder;
    if (shows && el.scrollWidth > el.clientWidth + 1)
      flaws.push(
        `${describe(el)} cuts its text "${shows.slice(0, 40)}" (${el.scrollWidth} px in ${el.clientWidth} px)`,
      );
  }

  // 3. Every button and link has a visible name, and no control is an empty box.
  const controls = doc.querySelectorAll(
    'button, a[href], [role="button"], [role="link"], input[type="button"], input[type="submit"], .btn, .chip',
  );
  for (const el of Array.from(controls)) {
    if (!shown(el)) continue;
    const labelledBy = (el.getAttribute('aria-labelledby') ?? '')
      .split(/\s+/)
      .map((id) => (id ? (doc.getElementById(id)?.textContent ?? '') : ''))
      .join(' ');
    const images = Array.from(el.querySelectorAll('img[alt], svg title')).map((i) =>
      i.tagName === 'IMG' ? i.getAttribute('alt') : i.textContent,
    );
    const name = [
      el.getAttribute('aria-label'),
      labelledBy,
      seen(el),
      (el as HTMLInputElement).value,
      el.getAttribute('title'),
      ...images,
    ]
      .map((s) => (s ?? '').trim())
      .find((s) => s);
    if (!name) flaws.push(`${describe(el)} has no visible name`);
    else if (seen(el).trim() && contrast(el) < 3)
      flaws.push(`${describe(el)}: its name can't be seen (contrast ${contrast(el).toFixed(1)}:1 with its background)`);
  }

  // 4. No text overflows its box (a word too long for its line, text cut by its box).
  for (const el of all) {
    const hasText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && (n.textContent ?? '').trim());
    if (!hasText || !shown(el) || inScroller(el)) continue;
    const style = win.getComputedStyle(el);
    if (style.display === 'inline' || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT')
      continue;
    if (el.scrollWidth > el.clientWidth + 1)
      flaws.push(`${describe(el)}: text overflows its box (${el.scrollWidth} px in ${el.clientWidth} px)`);
    else if (style.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1)
      flaws.push(`${describe(el)}: text is cut at the bottom (${el.scrollHeight} px in ${el.clientHeight} px)`);
  }

  // 5. Counts read right: never "1 entries".
  const plural =
    /(^|[^\d.,:/])1 (entries|changes|devices|logbooks|members|passkeys|notifications|days|hours|minutes|Einträge|Änderungen|Geräte|Logbücher|Tage|Stunden|Minuten)\b/;
  const wrong = plural.exec(seen(doc.body));
  if (wrong) flaws.push(`a count reads "${wrong[0].trim()}"`);
  return flaws;
}

/** The guard as one expression for page.evaluate, puppeteer's evaluate or WebDriver's execute. */
export const layoutGuardScript = `(${layoutFlaws.toString()})(window)`;
