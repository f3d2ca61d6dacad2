// Decompresses an LZ4 frame (the format of Litestream's .wal.lz4 and .snapshot.lz4 files),
// so the replication bench can see when a commit's bytes reached the replica. Enough of the
// spec for what Litestream writes: any block size, linked or independent blocks, optional
// checksums (skipped, not verified), no dictionary.
const MAGIC = 0x184d2204;

/** A byte buffer that grows by doubling. */
class Output {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  append(src: Uint8Array): void {
    this.reserve(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
  }
}

export function decompressLz4Frame(input: Uint8Array): Uint8Array {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not an LZ4 frame');
  const flg = input[4]!;
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSize = (flg & 0x08) !== 0;
  if (flg & 0x01) throw new Error('LZ4 frames with a dictionary are not supported');
  let pos = 6 + (contentSize ? 8 : 0) + 1; // FLG, BD, content size, header checksum
  const out = new Output();
  for (;;) {
    const word = view.getUint32(pos, true);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    const block = input.subarray(pos, pos + size);
    if (block.length !== size) throw new Error('truncated LZ4 frame');
    if (word & 0x80000000) out.append(block);
    else decodeBlock(block, out);
    pos += size + (blockChecksum ? 4 : 0);
  }
  return out.bytes.subarray(0, out.length);
}

/** One LZ4 block, appended to out (matches may reach into earlier blocks: linked mode). */
function decodeBlock(block: Uint8Array, out: Output): void {
  let i = 0;
  while (i < block.length) {
    const token = block[i++]!;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do literals += b = block[i++]!;
      while (b === 255);
    }
    out.append(block.subarray(i, i + literals));
    i += literals;
    if (i >= block.length) break; // the last sequence has literals only
    const offset = block[i]! | (block[i + 1]! << 8);
    i += 2;
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do length += b = block[i++]!;
      while (b === 255);
    }
    length += 4;
    const from = out.length - offset;
    if (offset === 0 || from < 0) throw new Error('bad LZ4 match offset');
    out.reserve(length);
    const bytes = out.bytes;
    // Byte by byte: a match may overlap what it writes (a repeated run).
    for (let k = 0; k < length; k++) bytes[out.length + k] = bytes[from + k]!;
    out.length += length;
  }
}
