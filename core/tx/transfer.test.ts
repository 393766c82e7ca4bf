import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DecodeError } from "../codec/decode-error.ts";
import { addressBytesOf } from "../crypto/address.ts";
import { concatBytes, fromHex, toHex } from "../crypto/bytes.ts";
import { keyPairFromSeed, nobleEd25519, signingBytes } from "../crypto/ed25519.ts";
import {
  decodeTransfer,
  encodeTransfer,
  openTransfer,
  parseTransfer,
  signTransfer,
  type Transfer,
  TransferCodec,
  transferId,
  transferSignedMessage,
  transferSigningPayload,
  verifyTransferBytes,
  verifyTransferSignature,
} from "./transfer.ts";

const alice = keyPairFromSeed(new Uint8Array(32).fill(1));
const bob = keyPairFromSeed(new Uint8Array(32).fill(2));
const base = {
  chainId: 7,
  from: alice.publicKey,
  to: addressBytesOf(bob.publicKey),
  amount: 1000n,
  fee: 10n,
  nonce: 0n,
};

function decodeErrorOf(bytes: Uint8Array): DecodeError {
  try {
    decodeTransfer(bytes);
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error("decode accepted bad bytes");
}

describe("transfer v1", () => {
  test("worked vector: keys from seeds 0x01.. and 0x02.., chain 7, 1000 + fee 10, nonce 0", () => {
    const pk = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
    const to = "f7216a6441b4a2364d59327f5840df6490d3a322";
    const sig =
      "3f6993bcbfeb3c4222487d6adb14395e806b823e5e49a8ed1ba0de98c00714dbc9581ec36d79960b69971aaa811456dbf173decc0edc791183920bbe60921e04";
    expect(toHex(alice.publicKey)).toBe(pk);
    expect(toHex(base.to)).toBe(to);
    const tx = signTransfer(base, alice.secretKey);
    // array(8), tag 0x21, v1, chain 7, bytes(32) from, bytes(20) to, 1000, 10, 0
    const payload = `8818210107 5820${pk} 54${to} 1903e8 0a 00`.replaceAll(" ", "");
    expect(toHex(transferSigningPayload(tx))).toBe(payload);
    expect(toHex(tx.signature)).toBe(sig);
    // The reference implementation agrees the signature is over "lattice/tx/v1" 0x00 payload.
    expect(nobleEd25519.verify(alice.publicKey, signingBytes("tx/v1", fromHex(payload)), tx.signature)).toBe(
      true,
    );
    const encoded = encodeTransfer(tx);
    expect(toHex(encoded)).toBe(`8918200107 5820${pk} 54${to} 1903e8 0a 00 5840${sig}`.replaceAll(" ", ""));
    expect(toHex(transferId(encoded))).toBe(
      "c6784e213c8ae1d9170db603447b64624f8d5070bed5e451e7c3b3bddc209b61",
    );
    const env = openTransfer(encoded);
    expect(env.tx).toEqual(tx);
    expect(toHex(env.sender)).toBe(toHex(addressBytesOf(alice.publicKey)));
    expect(verifyTransferSignature(env.tx)).toBe(true);
  });

  test("changing any signed field makes verification fail", () => {
    const signed = signTransfer(base, alice.secretKey);
    const flip = (b: Uint8Array, i: number) => {
      const c = b.slice();
      c[i % c.length]! ^= 1 << (i % 8);
      return c;
    };
    const mutation = fc.oneof(
      fc
        .nat(0xffff_ffff)
        .filter((v) => v !== 7)
        .map((v) => (t: Transfer) => ({ ...t, chainId: v })),
      fc.nat(1000).map((i) => (t: Transfer) => ({ ...t, from: flip(t.from, i) })),
      fc.nat(1000).map((i) => (t: Transfer) => ({ ...t, to: flip(t.to, i) })),
      fc
        .bigInt({ min: 0n, max: 1n << 60n })
        .filter((v) => v !== 1000n)
        .map((v) => (t: Transfer) => ({ ...t, amount: v })),
      fc
        .bigInt({ min: 0n, max: 1n << 60n })
        .filter((v) => v !== 10n)
        .map((v) => (t: Transfer) => ({ ...t, fee: v })),
      fc
        .bigInt({ min: 0n, max: (1n << 64n) - 1n })
        .filter((v) => v !== 0n)
        .map((v) => (t: Transfer) => ({ ...t, nonce: v })),
      fc.nat(1000).map((i) => (t: Transfer) => ({ ...t, signature: flip(t.signature, i) })),
    );
    fc.assert(
      fc.property(mutation, (mutate) => {
        const changed = mutate(signed);
        expect(verifyTransferSignature(changed)).toBe(false);
        // Also after a round trip through the wire format.
        expect(verifyTransferSignature(decodeTransfer(encodeTransfer(changed)))).toBe(false);
      }),
      { seed: 1701, numRuns: 300 },
    );
    expect(verifyTransferSignature(signed)).toBe(true);
  });

  test("decoding rejects malformed bytes with a DecodeError naming the field", () => {
    const good = encodeTransfer(signTransfer(base, alice.secretKey));
    expect(decodeErrorOf(good.subarray(0, good.length - 1)).code).toBe("DECODE_TRUNCATED");
    expect(decodeErrorOf(concatBytes(good, Uint8Array.of(0))).code).toBe("DECODE_TRAILING_BYTES");
    const wrongTag = good.slice();
    wrongTag[2] = 0x21;
    expect(decodeErrorOf(wrongTag).code).toBe("DECODE_UNKNOWN_TYPE");
    const wrongVersion = good.slice();
    wrongVersion[3] = 2;
    expect(decodeErrorOf(wrongVersion).code).toBe("DECODE_UNSUPPORTED_VERSION");
    // `to` claims 19 bytes: the rest shifts and the field is out of range.
    const shortTo = good.slice();
    shortTo[5 + 2 + 32] = 0x53;
    const e = decodeErrorOf(shortTo);
    expect(e.field.startsWith("Transfer")).toBe(true);
    // amount 1000 written in a non-shortest 4-byte form.
    const at = 5 + 34 + 21;
    const long = concatBytes(
      good.subarray(0, at),
      Uint8Array.of(0x1a, 0, 0, 0x03, 0xe8),
      good.subarray(at + 3),
    );
    expect(decodeErrorOf(long).code).toBe("DECODE_NON_CANONICAL");
    expect(decodeErrorOf(new Uint8Array(300)).code).toBe("DECODE_TOO_LARGE");
  });

  test("amount + fee must fit in a u64", () => {
    const max = (1n << 64n) - 1n;
    expect(() => signTransfer({ ...base, amount: max, fee: 1n }, alice.secretKey)).toThrow(DecodeError);
    const forged: Transfer = { ...base, amount: max, fee: 1n, signature: new Uint8Array(64) };
    const err = decodeErrorOf(encodeTransfer(forged));
    expect(err.code).toBe("DECODE_RANGE");
    expect(err.field).toBe("Transfer.fee");
  });

  test("fast parser accepts exactly what the generic codec accepts, and slices the signed message", () => {
    const u64 = fc.oneof(
      fc.bigInt({ min: 0n, max: 30n }),
      fc.bigInt({ min: 0n, max: 1n << 20n }),
      fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
    );
    const transfer = fc.record({
      chainId: fc.oneof(fc.nat(30), fc.nat(0xffff_ffff)),
      amount: u64,
      fee: u64,
      nonce: fc.oneof(u64, fc.constant((1n << 64n) - 1n)),
      signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    });
    // Edits of valid bytes: a bit flip, a byte set, truncation, an inserted or removed byte.
    const edit = fc.oneof(
      fc.tuple(fc.constant("flip" as const), fc.nat(200), fc.nat(7)),
      fc.tuple(fc.constant("set" as const), fc.nat(200), fc.nat(255)),
      fc.tuple(fc.constant("cut" as const), fc.nat(200), fc.constant(0)),
      fc.tuple(fc.constant("insert" as const), fc.nat(200), fc.nat(255)),
      fc.tuple(fc.constant("remove" as const), fc.nat(200), fc.constant(0)),
    );
    const generic = (b: Uint8Array): Transfer | null => {
      try {
        const tx = TransferCodec.decode(b, { maxBytes: 256 });
        return tx.amount + tx.fee > (1n << 64n) - 1n ? null : tx;
      } catch (err) {
        if (err instanceof DecodeError) return null;
        throw err;
      }
    };
    fc.assert(
      fc.property(transfer, fc.array(edit, { maxLength: 3 }), (t, edits) => {
        let b = encodeTransfer({ ...t, from: alice.publicKey, to: base.to });
        const signed = transferSignedMessage(b);
        const tx = parseTransfer(b);
        expect(tx).not.toBeNull();
        expect(toHex(signed)).toBe(toHex(signingBytes("tx/v1", transferSigningPayload(tx!))));
        for (const [kind, at, v] of edits) {
          const i = at % (b.length + 1);
          if (kind === "flip" && i < b.length) b[i]! ^= 1 << v;
          else if (kind === "set" && i < b.length) b[i] = v;
          else if (kind === "cut") b = b.slice(0, i);
          else if (kind === "insert") b = concatBytes(b.subarray(0, i), Uint8Array.of(v), b.subarray(i));
          else if (kind === "remove" && i < b.length) b = concatBytes(b.subarray(0, i), b.subarray(i + 1));
        }
        const want = generic(b);
        const got = parseTransfer(b, false);
        expect(got === null).toBe(want === null);
        if (want !== null) expect(got).toEqual(want);
      }),
      { seed: 4242, numRuns: 3000 },
    );
  });

  test("verifyTransferBytes agrees with verifyTransferSignature", () => {
    const signed = signTransfer(base, alice.secretKey);
    const b = encodeTransfer(signed);
    expect(verifyTransferBytes(parseTransfer(b, false)!, b)).toBe(true);
    const forged = encodeTransfer({ ...signed, amount: 1001n });
    expect(verifyTransferBytes(parseTransfer(forged)!, forged)).toBe(false);
    expect(verifyTransferSignature(decodeTransfer(forged))).toBe(false);
    expect(verifyTransferBytes(signed, new Uint8Array(10))).toBe(false);
  });
});
