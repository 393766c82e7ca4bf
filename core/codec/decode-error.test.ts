import { describe, expect, test } from "bun:test";
import { isLatticeError, LatticeError } from "../errors/lattice-error.ts";
import { DecodeError, EncodeError, ROOT_FIELD, rethrowUnder } from "./decode-error.ts";

describe("DecodeError", () => {
  test("carries code, field, reason and offset, and names the field in its message", () => {
    const err = new DecodeError("DECODE_RANGE", "Transfer.amount", "u64 expects at most 2^64-1", {
      offset: 7,
    });
    expect(err).toBeInstanceOf(LatticeError);
    expect(isLatticeError(err, "DECODE_RANGE")).toBe(true);
    expect(err.name).toBe("DecodeError");
    expect(err.field).toBe("Transfer.amount");
    expect(err.offset).toBe(7);
    expect(err.message).toBe("Transfer.amount: u64 expects at most 2^64-1 (at byte 7)");
    expect(err.toJSON().details).toEqual({
      field: "Transfer.amount",
      reason: "u64 expects at most 2^64-1",
      offset: 7,
    });
  });

  test("has no offset property when none is known", () => {
    const err = new DecodeError("DECODE_SHAPE", ROOT_FIELD, "expected an array");
    expect("offset" in err).toBe(false);
    expect(err.message).toBe("<root>: expected an array");
  });

  test("under() builds paths outwards: index, key, type name", () => {
    const leaf = new DecodeError("DECODE_RANGE", ROOT_FIELD, "too big", { offset: 3, cause: "x" });
    const path = leaf.under("nonce").under("[3]").under("txs").under("Batch");
    expect(path.field).toBe("Batch.txs[3].nonce");
    expect(path.code).toBe("DECODE_RANGE");
    expect(path.offset).toBe(3);
    expect(path.cause).toBe("x");
    expect(path.message).toBe("Batch.txs[3].nonce: too big (at byte 3)");
  });
});

describe("EncodeError", () => {
  test("has code ENCODE_INVALID and builds paths like DecodeError", () => {
    const err = new EncodeError(ROOT_FIELD, "u8 expects an integer in 0..255, got 256")
      .under("fee")
      .under("Tx");
    expect(err).toBeInstanceOf(LatticeError);
    expect(err.code).toBe("ENCODE_INVALID");
    expect(err.field).toBe("Tx.fee");
    expect(err.message).toBe("Tx.fee: u8 expects an integer in 0..255, got 256");
  });
});

describe("rethrowUnder", () => {
  test("prefixes codec errors and passes anything else through unchanged", () => {
    const other = new Error("boom");
    expect(() => rethrowUnder(other, "a")).toThrow(other);
    try {
      rethrowUnder(new DecodeError("DECODE_SHAPE", "[2]", "bad"), "items");
    } catch (err) {
      expect((err as DecodeError).field).toBe("items[2]");
    }
    expect.assertions(2);
  });
});
