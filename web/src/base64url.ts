// base64url without padding, the encoding API.md uses for ciphertext and keys. Written
// over btoa/atob so the same code runs in the browser, the service worker and Node's tests.

export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The browser's own decoder where it has one (Chromium 140+, Firefox 133+, Safari 18.2+). */
const native = (Uint8Array as unknown as { fromBase64?: (text: string, options: object) => Uint8Array<ArrayBuffer> })
  .fromBase64;

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  if (native) return native.call(Uint8Array, text, { alphabet: 'base64url', lastChunkHandling: 'loose' });
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
