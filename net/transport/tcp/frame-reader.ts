/**
 * Reassembles length-prefixed frames from TCP chunks with arbitrary boundaries (style-ecosystem-anchors
 * §3.4: Bun delivers `data` chunks that may split or merge frames). Wire: 4-byte big-endian length, then
 * that many bytes. The cap is checked on the length prefix BEFORE any body byte is buffered beyond the
 * current chunk, so a peer cannot make us hold more than `cap` + one chunk. Frames are taken one at a
 * time with `next()` because the cap changes mid-stream (small during the handshake, 1 MiB after).
 */
import { LatticeError } from "../../../core/errors/lattice-error.ts";

export class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;

  constructor(public cap: number) {}

  /** Bytes buffered but not yet returned as a frame. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Append a chunk as received. */
  push(chunk: Uint8Array): void {
    const have = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (have + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(have + chunk.length, this.buf.length * 2, 4096));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = have;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /**
   * The next complete frame, or undefined when more bytes are needed. Throws `NET_FRAME_TOO_LARGE` when
   * a length prefix exceeds the cap (the stream cannot be trusted after that: close it).
   */
  next(): Uint8Array | undefined {
    if (this.end - this.start < 4) return undefined;
    const b = this.buf;
    const s = this.start;
    const n = ((b[s]! << 24) | (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!) >>> 0;
    if (n > this.cap) {
      throw new LatticeError("NET_FRAME_TOO_LARGE", `frame length ${n} exceeds ${this.cap}`, {
        details: { size: n, max: this.cap },
      });
    }
    if (this.end - s - 4 < n) return undefined;
    const frame = b.slice(s + 4, s + 4 + n);
    this.start = s + 4 + n;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return frame;
  }
}

/** Prefix `body` with its 4-byte big-endian length. */
export function lengthPrefixed(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  const n = body.length;
  out[0] = n >>> 24;
  out[1] = (n >>> 16) & 0xff;
  out[2] = (n >>> 8) & 0xff;
  out[3] = n & 0xff;
  out.set(body, 4);
  return out;
}
