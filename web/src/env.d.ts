declare module '*.css';
/** Style sheets of lazily loaded libraries, made by build.ts (web/dist/assets/NAME.HASH.css). */
declare const __VENDOR_CSS__: { leaflet: string; uplot: string };
