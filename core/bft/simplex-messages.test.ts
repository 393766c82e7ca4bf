import { describe, expect, test } from "bun:test";
import { DecodeError } from "../codec/decode-error.ts";
import { signingBytes } from "../crypto/ed25519.ts";
import { Prng } from "../engine/prng.ts";
import {
  Block,
  blockHash,
  blockHashOfBytes,
  Certificate,
  decodeCertificateFast,
  decodeProposalFast,
  decodeSimplex,
  decodeVoteFast,
  encodeVote,
  Proposal,
  proposalBlockBytes,
  simplexWire,
  Vote,
  VOTE_KINDS,
  VOTE_TAG,
  VoteBody,
  voteSigningBytes,
} from "./simplex-messages.ts";

// Integers at every head-width boundary of canonical CBOR, up to 2^53-1.
const VIEWS = [
  0,
  1,
  23,
  24,
  255,
  256,
  65_535,
  65_536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 40 + 7,
  Number.MAX_SAFE_INTEGER,
];
const SIGNERS = [0, 5, 23, 24, 255, 256, 1023, 65_535];

function randomVote(r: Prng): Vote {
  return {
    chain: r.bytes(32),
    view: r.nextFloat() < 0.5 ? VIEWS[r.int(0, VIEWS.length - 1)]! : r.int(0, 1_000_000),
    kind: VOTE_KINDS[r.int(0, 2)]!,
    block: r.bytes(32),
    signer: SIGNERS[r.int(0, SIGNERS.length - 1)]!,
    sig: r.bytes(64),
  };
}

/** The generic registry's answer: the decoded value or the error code. */
function generic(bytes: Uint8Array): unknown {
  try {
    return simplexWire.decode(bytes, { maxBytes: 1 << 20 });
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
}

function fast(bytes: Uint8Array): unknown {
  try {
    return decodeSimplex(bytes, 1 << 20);
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
}

describe("hand-written vote codec", () => {
  test("encodes the same bytes as the generic codec, and decodes them to the same value", () => {
    const r = new Prng(11);
    for (let i = 0; i < 2000; i++) {
      const v = randomVote(r);
      const bytes = Vote.encode(v);
      expect(encodeVote(v)).toEqual(bytes);
      expect(decodeVoteFast(bytes)).toEqual(Vote.decode(bytes));
      expect(voteSigningBytes(v.chain, v.view, v.kind, v.block)).toEqual(
        signingBytes(
          VOTE_TAG,
          VoteBody.encode({ chain: v.chain, view: v.view, kind: v.kind, block: v.block }),
        ),
      );
    }
  });

  test("accepts exactly what the generic decoder accepts (mutated, cut and extended bytes)", () => {
    const r = new Prng(12);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Vote.encode(randomVote(r));
      let m: Uint8Array;
      const how = r.int(0, 3);
      if (how === 0) {
        m = bytes.slice();
        m[r.int(0, m.length - 1)] = r.int(0, 255);
      } else if (how === 1) {
        m = bytes.slice();
        // Hit the heads, where a fast reader could go wrong.
        m[[0, 1, 2, 3, 4, 5, 38, 39, 40][r.int(0, 8)]!] = r.int(0, 255);
      } else if (how === 2) m = bytes.subarray(0, r.int(0, bytes.length - 1));
      else m = Uint8Array.of(...bytes, r.int(0, 255));
      const want = generic(m);
      expect(fast(m)).toEqual(want);
      const v = decodeVoteFast(m);
      if (v !== undefined) expect(want).toEqual({ name: "SimplexVote", version: 1, value: v });
      else rejected++;
    }
    expect(rejected).toBeGreaterThan(1000);
  });

  test("non-shortest heads and out-of-range fields are left to the generic decoder, which rejects them", () => {
    const v: Vote = {
      chain: new Uint8Array(32).fill(1),
      view: 7,
      kind: "nullify",
      block: new Uint8Array(32),
      signer: 3,
      sig: new Uint8Array(64).fill(9),
    };
    const bytes = Vote.encode(v);
    // view 7 written with a one-byte argument (0x18 0x07) instead of in the head.
    const long = Uint8Array.of(...bytes.subarray(0, 38), 0x18, 0x07, ...bytes.subarray(39));
    expect(decodeVoteFast(long)).toBeUndefined();
    expect(fast(long)).toBe("DECODE_NON_CANONICAL");
    // kind 3 is not a vote kind.
    const kind = bytes.slice();
    kind[39] = 3;
    expect(decodeVoteFast(kind)).toBeUndefined();
    expect(typeof fast(kind)).toBe("string");
    expect(() => encodeVote({ ...v, sig: new Uint8Array(63) })).toThrow();
  });
});

describe("proposal block bytes", () => {
  test("the slice inside a proposal is the block's canonical encoding", () => {
    const r = new Prng(13);
    for (let i = 0; i < 200; i++) {
      const block: Block = {
        chain: r.bytes(32),
        view: VIEWS[r.int(0, VIEWS.length - 1)]!,
        height: r.int(0, 1_000_000),
        parentView: r.int(0, 70_000),
        parent: r.bytes(32),
        proposer: SIGNERS[r.int(0, SIGNERS.length - 1)]!,
        payload: r.bytes(r.int(0, 600)),
      };
      const bytes = Proposal.encode({ block, sig: r.bytes(64) });
      expect(proposalBlockBytes(bytes)).toEqual(Block.encode(block));
      expect(blockHashOfBytes(proposalBlockBytes(bytes))).toEqual(blockHash(block));
    }
  });
});

function randomBlock(r: Prng): Block {
  return {
    chain: r.bytes(32),
    view: VIEWS[r.int(0, VIEWS.length - 1)]!,
    height: r.int(0, 1_000_000),
    parentView: r.int(0, 70_000),
    parent: r.bytes(32),
    proposer: SIGNERS[r.int(0, SIGNERS.length - 1)]!,
    // Lengths across the byte-string head widths (in the head, 1 byte, 2 bytes).
    payload: r.bytes([0, 5, 23, 24, 255, 256, 700][r.int(0, 6)]!),
  };
}

function randomCertificate(r: Prng): Certificate {
  const n = [0, 1, 3, 5, 24, 30][r.int(0, 5)]!;
  const signers = Array.from({ length: n }, () => SIGNERS[r.int(0, SIGNERS.length - 1)]!);
  return {
    chain: r.bytes(32),
    view: VIEWS[r.int(0, VIEWS.length - 1)]!,
    kind: VOTE_KINDS[r.int(0, 2)]!,
    block: r.bytes(32),
    signers,
    sigs: Array.from({ length: r.int(0, 1) ? n : r.int(0, 4) }, () => r.bytes(64)),
    body: r.int(0, 1) ? randomBlock(r) : null,
  };
}

describe("hand-written proposal and certificate readers", () => {
  test("decode exactly what the generic codec encodes", () => {
    const r = new Prng(14);
    for (let i = 0; i < 500; i++) {
      const p: Proposal = { block: randomBlock(r), sig: r.bytes(64) };
      const pb = Proposal.encode(p);
      expect(decodeProposalFast(pb)).toEqual(Proposal.decode(pb));
      const c = randomCertificate(r);
      const cb = Certificate.encode(c);
      expect(decodeCertificateFast(cb)).toEqual(Certificate.decode(cb));
      expect(fast(cb)).toEqual(generic(cb));
    }
  });

  test("accept exactly what the generic decoder accepts (mutated, cut and extended bytes)", () => {
    const r = new Prng(15);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes =
        i % 2
          ? Proposal.encode({ block: randomBlock(r), sig: r.bytes(64) })
          : Certificate.encode(randomCertificate(r));
      let m: Uint8Array;
      const how = r.int(0, 3);
      if (how <= 1) {
        m = bytes.slice();
        // Half the mutations hit the first 120 bytes, where the heads are.
        m[how === 0 ? r.int(0, m.length - 1) : r.int(0, Math.min(119, m.length - 1))] = r.int(0, 255);
      } else if (how === 2) m = bytes.subarray(0, r.int(0, bytes.length - 1));
      else m = Uint8Array.of(...bytes, r.int(0, 255));
      const want = generic(m);
      expect(fast(m)).toEqual(want);
      if (typeof want !== "string") accepted++;
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
