// A lazily loaded library's style sheet, linked once when its chunk first draws (the CSP
// allows style sheets from this origin; build.ts puts them in web/dist/assets).
const linked = new Set<string>();

export function linkStyleSheet(name: keyof typeof __VENDOR_CSS__): Promise<void> {
  const href = __VENDOR_CSS__[name];
  if (linked.has(href)) return Promise.resolve();
  linked.add(href);
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  const loaded = new Promise<void>((resolve) => {
    link.onload = () => resolve();
    link.onerror = () => resolve(); // unstyled but still drawn: offline before the sheet was cached
  });
  document.head.append(link);
  return loaded;
}
