// A QR code on the terminal, for a link or a key to be read by a phone's camera. The encoder
// is loaded on first use: most commands never draw one, and loading it is part of every start.
import type { Io } from './command.ts';

export async function printQr(io: Io, text: string): Promise<void> {
  const { default: QRCode } = await import('qrcode');
  const qr = await QRCode.toString(text, { type: 'terminal', small: true });
  // The renderer ends with a dangling colour sequence and no newline: keep the next line clean.
  io.write(`${qr.replace(/\n(\x1b\[[0-9;]*m)*$/, '')}\x1b[0m\n`);
}
