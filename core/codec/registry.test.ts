import { describe, expect, test } from "bun:test";
import { encodeCanonical } from "./canonical.ts";
import { defineMessage } from "./message.ts";
import { registry } from "./registry.ts";
import { bytes, optional, text, u8, u64 } from "./schema.ts";
import { expectDecodeError } from "./test-helpers.ts";

// Version 1 of Transfer had no memo; version 2 added one. Both stay readable.
const TransferV1 = defineMessage({
  name: "Transfer",
  tag: 0x10,
  version: 1,
  fields: { to: bytes(2), amount: u64 },
});
const TransferV2 = defineMessage({
  name: "Transfer",
  tag: 0x10,
  version: 2,
  fields: { to: bytes(2), amount: u64, memo: optional(text(8)) },
});
const Vote = defineMessage({ name: "Vote", tag: 0x20, version: 1, fields: { round: u64, yes: u8 } });
const wire = registry([TransferV1, TransferV2, Vote]);

describe("registry", () => {
  test("decodes each registered type and version, typed as a union", () => {
    const v1 = wire.decode(TransferV1.encode({ to: new Uint8Array(2), amount: 5n }));
    expect(v1).toEqual({ name: "Transfer", version: 1, value: { to: new Uint8Array(2), amount: 5n } });
    const v2 = wire.decode(TransferV2.encode({ to: new Uint8Array(2), amount: 5n, memo: "hi" }));
    if (v2.name === "Transfer" && v2.version === 2) expect(v2.value.memo).toBe("hi");
    else throw new Error(`decoded as ${v2.name} v${v2.version}`);
    const vote = wire.decode(Vote.encode({ round: 9n, yes: 1 }));
    if (vote.name === "Vote") {
      const round: bigint = vote.value.round;
      expect(round).toBe(9n);
      // @ts-expect-error a Vote has no memo
      expect(vote.value.memo).toBeUndefined();
    } else throw new Error(`decoded as ${vote.name}`);
  });

  test("unknown tag, unknown version, malformed header", () => {
    expectDecodeError(() => wire.decode(encodeCanonical([0x30, 1])), "DECODE_UNKNOWN_TYPE", {
      field: "<root>",
    });
    expectDecodeError(() => wire.decode(encodeCanonical([2n ** 64n - 1n, 1])), "DECODE_UNKNOWN_TYPE");
    expectDecodeError(
      () => wire.decode(encodeCanonical([0x10, 3, new Uint8Array(2), 1])),
      "DECODE_UNSUPPORTED_VERSION",
      {
        field: "Transfer",
      },
    );
    expectDecodeError(() => wire.decode(encodeCanonical([0x10, 2n ** 60n])), "DECODE_UNSUPPORTED_VERSION");
    expectDecodeError(() => wire.decode(encodeCanonical([0x10])), "DECODE_SHAPE");
    expectDecodeError(() => wire.decode(encodeCanonical(new Uint8Array(3))), "DECODE_SHAPE");
  });

  test("field errors, limits and canonicality are as for the codec itself", () => {
    expectDecodeError(() => wire.decode(encodeCanonical([0x20, 1, 9, 256])), "DECODE_RANGE", {
      field: "Vote.yes",
    });
    expectDecodeError(() => wire.decode(encodeCanonical([0x20, 1, 9])), "DECODE_SHAPE", { field: "Vote" });
    const bytes = Vote.encode({ round: 1n, yes: 0 });
    expectDecodeError(() => wire.decode(bytes, { maxBytes: 2 }), "DECODE_TOO_LARGE");
    expectDecodeError(
      () => wire.decode(new Uint8Array([0x84, 0x18, 0x20, 0x01, 0x18, 0x01, 0x00])),
      "DECODE_NON_CANONICAL",
    );
  });

  test("codecFor finds codecs by tag and version", () => {
    expect(wire.codecFor(0x10, 2)).toBe(TransferV2);
    expect(wire.codecFor(0x10, 3)).toBeUndefined();
    expect(wire.codecs).toEqual([TransferV1, TransferV2, Vote]);
  });

  test("conflicting registrations are refused", () => {
    expect(() => registry([TransferV1, TransferV1])).toThrow(/twice/);
    const Impostor = defineMessage({ name: "Impostor", tag: 0x10, version: 3, fields: {} });
    expect(() => registry([TransferV1, Impostor])).toThrow(/tag 16/);
    const Moved = defineMessage({ name: "Vote", tag: 0x21, version: 2, fields: {} });
    expect(() => registry([Vote, Moved])).toThrow(/tags/);
  });
});
