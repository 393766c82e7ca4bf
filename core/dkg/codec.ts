/**
 * Byte encoding of DKG log entries: one `toBytes`/`fromBytes` pair per message, plus a
 * dispatcher. Strict and canonical by construction (ARCHITECTURE.md "Identities, encoding"):
 * fixed field positions, explicit lengths, big-endian integers, group elements and scalars in
 * their own strict encodings (core/threshold), and no trailing bytes, so there is exactly one
 * encoding per message and re-encoding a decoded message gives the same bytes. Every failure is
 * a DkgError DKG_MALFORMED with `details.field`. Written before core/codec existed; it can move
 * onto the shared canonical codec later without changing the engine.
 *
 * Layout (all entries):  u8 version=1 ‖ u8 kind ‖ session[32] ‖ body
 *   deal (kind 1):          u8 idLen ‖ id ‖ u16 t ‖ t × element ‖ ephemeralKey[32] ‖ u16 n ‖ n × u16 len ‖ ct
 *   complaint (kind 2):     u8 idLen ‖ id ‖ u16 dealer
 *   justification (kind 3): u8 idLen ‖ id ‖ u16 complainer ‖ scalar
 *   end-dealing (16), end-complaints (17), end-justifications (18): empty body
 * The engine checks what the bytes cannot: counts equal to t and n, indices within the member list.
 */
import { isLatticeError } from "../errors/lattice-error.ts";
import type { Group, ScalarField } from "../threshold/group.ts";
import { DkgError } from "./errors.ts";
import type {
  DkgComplaint,
  DkgDeal,
  DkgJustification,
  DkgMessage,
  DkgPhaseKind,
  DkgPhaseMarker,
} from "./messages.ts";
import { BOX_KEY_BYTES } from "./share-box.ts";

export const DKG_WIRE_VERSION = 1;
export const SESSION_BYTES = 32;
export const MAX_ID_BYTES = 64;
/** The largest quorum a DKG runs for; bounds every count a decoder will allocate for. */
export const MAX_MEMBERS = 256;
/** A share ciphertext is at most a 64-byte scalar plus the box overhead. */
export const MAX_CIPHERTEXT_BYTES = 64 + 16;

const KIND_CODE = {
  deal: 1,
  complaint: 2,
  justification: 3,
  "end-dealing": 16,
  "end-complaints": 17,
  "end-justifications": 18,
} as const;
const PHASE_BY_CODE: Record<number, DkgPhaseKind> = {
  16: "end-dealing",
  17: "end-complaints",
  18: "end-justifications",
};

function malformed(field: string, message: string, cause?: unknown): DkgError {
  return new DkgError("DKG_MALFORMED", `${field}: ${message}`, {
    details: { field },
    ...(cause === undefined ? {} : { cause }),
  });
}

class Writer {
  private readonly parts: Uint8Array[] = [];
  private len = 0;
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.len += b.length;
    return this;
  }
  u8(v: number, field: string): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw malformed(field, "does not fit in u8");
    return this.bytes(Uint8Array.of(v));
  }
  u16(v: number, field: string): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw malformed(field, "does not fit in u16");
    return this.bytes(Uint8Array.of(v >> 8, v & 0xff));
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

class Reader {
  private off = 0;
  constructor(private readonly buf: Uint8Array) {}
  take(n: number, field: string): Uint8Array {
    if (this.off + n > this.buf.length) throw malformed(field, "truncated");
    const out = this.buf.slice(this.off, this.off + n);
    this.off += n;
    return out;
  }
  u8(field: string): number {
    return this.take(1, field)[0]!;
  }
  u16(field: string): number {
    const b = this.take(2, field);
    return (b[0]! << 8) | b[1]!;
  }
  end(): void {
    if (this.off !== this.buf.length)
      throw malformed("entry", `${this.buf.length - this.off} trailing bytes`);
  }
}

function header(w: Writer, kind: DkgMessage<unknown>["kind"], session: Uint8Array): Writer {
  if (!(session instanceof Uint8Array) || session.length !== SESSION_BYTES) {
    throw malformed("session", `expected ${SESSION_BYTES} bytes`);
  }
  return w.u8(DKG_WIRE_VERSION, "version").u8(KIND_CODE[kind], "kind").bytes(session);
}

function writeId(w: Writer, id: Uint8Array): Writer {
  if (!(id instanceof Uint8Array) || id.length < 1 || id.length > MAX_ID_BYTES) {
    throw malformed("from", `member id must be 1..${MAX_ID_BYTES} bytes`);
  }
  return w.u8(id.length, "from.length").bytes(id);
}

function readHeader(r: Reader, want?: number): { kind: number; session: Uint8Array } {
  const version = r.u8("version");
  if (version !== DKG_WIRE_VERSION) throw malformed("version", `unsupported version ${version}`);
  const kind = r.u8("kind");
  if (want !== undefined && kind !== want) throw malformed("kind", `expected kind ${want}, got ${kind}`);
  return { kind, session: r.take(SESSION_BYTES, "session") };
}

function readId(r: Reader): Uint8Array {
  const len = r.u8("from.length");
  if (len < 1 || len > MAX_ID_BYTES)
    throw malformed("from.length", `member id must be 1..${MAX_ID_BYTES} bytes`);
  return r.take(len, "from");
}

function readCount(r: Reader, field: string): number {
  const v = r.u16(field);
  if (v < 1 || v > MAX_MEMBERS) throw malformed(field, `must be 1..${MAX_MEMBERS}`);
  return v;
}

function readIndex(r: Reader, field: string): number {
  const v = r.u16(field);
  if (v < 1 || v > MAX_MEMBERS) throw malformed(field, `member index must be 1..${MAX_MEMBERS}`);
  return v;
}

/** Decode with a group/field decoder, turning its typed error into DKG_MALFORMED for `field`. */
function element<T>(decode: () => T, field: string): T {
  try {
    return decode();
  } catch (e) {
    if (isLatticeError(e)) throw malformed(field, e.message, e);
    throw e;
  }
}

function bodyOf<T>(bytes: Uint8Array, fn: (r: Reader) => T): T {
  if (!(bytes instanceof Uint8Array)) throw malformed("entry", "expected Uint8Array");
  const r = new Reader(bytes);
  const out = fn(r);
  r.end();
  return out;
}

export function dealToBytes<E>(group: Group<E>, deal: DkgDeal<E>): Uint8Array {
  const w = writeId(header(new Writer(), "deal", deal.session), deal.from);
  w.u16(deal.commitments.length, "commitments.length");
  for (const c of deal.commitments) w.bytes(group.commit.toBytes(c));
  if (!(deal.ephemeralKey instanceof Uint8Array) || deal.ephemeralKey.length !== BOX_KEY_BYTES) {
    throw malformed("ephemeralKey", `expected ${BOX_KEY_BYTES} bytes`);
  }
  w.bytes(deal.ephemeralKey).u16(deal.ciphertexts.length, "ciphertexts.length");
  for (const ct of deal.ciphertexts) {
    if (!(ct instanceof Uint8Array) || ct.length > MAX_CIPHERTEXT_BYTES) {
      throw malformed("ciphertexts", `each at most ${MAX_CIPHERTEXT_BYTES} bytes`);
    }
    w.u16(ct.length, "ciphertext.length").bytes(ct);
  }
  return w.finish();
}

export function dealFromBytes<E>(group: Group<E>, bytes: Uint8Array): DkgDeal<E> {
  return bodyOf(bytes, (r) => {
    const { session } = readHeader(r, KIND_CODE.deal);
    const from = readId(r);
    const t = readCount(r, "commitments.length");
    const commitments: E[] = [];
    for (let k = 0; k < t; k++) {
      const field = `commitments[${k}]`;
      const raw = r.take(group.commit.bytes, field);
      commitments.push(element(() => group.commit.fromBytes(raw, field), field));
    }
    const ephemeralKey = r.take(BOX_KEY_BYTES, "ephemeralKey");
    const n = readCount(r, "ciphertexts.length");
    const ciphertexts: Uint8Array[] = [];
    for (let j = 0; j < n; j++) {
      const len = r.u16(`ciphertexts[${j}].length`);
      if (len > MAX_CIPHERTEXT_BYTES)
        throw malformed(`ciphertexts[${j}]`, `longer than ${MAX_CIPHERTEXT_BYTES}`);
      ciphertexts.push(r.take(len, `ciphertexts[${j}]`));
    }
    return { kind: "deal", session, from, commitments, ephemeralKey, ciphertexts };
  });
}

export function complaintToBytes(c: DkgComplaint): Uint8Array {
  return writeId(header(new Writer(), "complaint", c.session), c.from)
    .u16(c.dealer, "dealer")
    .finish();
}

export function complaintFromBytes(bytes: Uint8Array): DkgComplaint {
  return bodyOf(bytes, (r) => {
    const { session } = readHeader(r, KIND_CODE.complaint);
    return { kind: "complaint", session, from: readId(r), dealer: readIndex(r, "dealer") };
  });
}

export function justificationToBytes(field: ScalarField, j: DkgJustification): Uint8Array {
  if (!field.isValid(j.share)) throw malformed("share", "not a canonical scalar");
  return writeId(header(new Writer(), "justification", j.session), j.from)
    .u16(j.complainer, "complainer")
    .bytes(field.toBytes(j.share))
    .finish();
}

export function justificationFromBytes(field: ScalarField, bytes: Uint8Array): DkgJustification {
  return bodyOf(bytes, (r) => {
    const { session } = readHeader(r, KIND_CODE.justification);
    const from = readId(r);
    const complainer = readIndex(r, "complainer");
    const raw = r.take(field.bytes, "share");
    const share = element(() => field.fromBytes(raw, "share"), "share");
    return { kind: "justification", session, from, complainer, share };
  });
}

export function phaseMarkerToBytes(m: DkgPhaseMarker): Uint8Array {
  if (PHASE_BY_CODE[KIND_CODE[m.kind]] !== m.kind) throw malformed("kind", "not a phase marker");
  return header(new Writer(), m.kind, m.session).finish();
}

export function phaseMarkerFromBytes(bytes: Uint8Array): DkgPhaseMarker {
  return bodyOf(bytes, (r) => {
    const { kind, session } = readHeader(r);
    const phase = PHASE_BY_CODE[kind];
    if (phase === undefined) throw malformed("kind", `not a phase marker: ${kind}`);
    return { kind: phase, session };
  });
}

/** Encode any DKG log entry. */
export function dkgMessageToBytes<E>(group: Group<E>, msg: DkgMessage<E>): Uint8Array {
  switch (msg.kind) {
    case "deal":
      return dealToBytes(group, msg);
    case "complaint":
      return complaintToBytes(msg);
    case "justification":
      return justificationToBytes(group.field, msg);
    default:
      return phaseMarkerToBytes(msg);
  }
}

/** Decode any DKG log entry (dispatching on the kind byte); throws DKG_MALFORMED. */
export function dkgMessageFromBytes<E>(group: Group<E>, bytes: Uint8Array): DkgMessage<E> {
  if (!(bytes instanceof Uint8Array) || bytes.length < 2) throw malformed("entry", "too short");
  switch (bytes[1]) {
    case KIND_CODE.deal:
      return dealFromBytes(group, bytes);
    case KIND_CODE.complaint:
      return complaintFromBytes(bytes);
    case KIND_CODE.justification:
      return justificationFromBytes(group.field, bytes);
    default:
      return phaseMarkerFromBytes(bytes);
  }
}
