import { describe, expect, test } from "bun:test";
import { addressBytesOf } from "../crypto/address.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { Mempool } from "../mempool/mempool.ts";
import { StateStore } from "../state/state-store.ts";
import { encodeTransfer, signTransfer } from "../tx/transfer.ts";
import { InlineValidator } from "../validator/validator.ts";
import { DoorCheckedValidator } from "./door-checked-validator.ts";

const CHAIN = 5;
const keys = Array.from({ length: 3 }, (_, i) => keyPairFromSeed(new Uint8Array(32).fill(0x30 + i)));
const addr = (i: number) => addressBytesOf(keys[i]!.publicKey);
const state = StateStore.open({
  capacity: 16,
  genesis: [
    { address: addr(0), balance: 100n, nonce: 0n },
    { address: addr(1), balance: 10n, nonce: 3n },
  ],
});
const mempool = new Mempool({ capacity: 16, shared: true, nonceOf: () => 0n });

function tx(k: number, nonce: bigint, amount: bigint, chainId = CHAIN): Uint8Array {
  const from = keys[k]!;
  return encodeTransfer(
    signTransfer({ chainId, from: from.publicKey, to: addr(2), amount, fee: 1n, nonce }, from.secretKey),
  );
}

describe("DoorCheckedValidator", () => {
  test("same verdicts as the inline validator on correctly signed batches (nonce, balance, chain, decode)", async () => {
    const batch = [
      tx(0, 0n, 10n),
      tx(0, 2n, 10n), // gap: nonce
      tx(0, 1n, 200n), // balance
      tx(0, 1n, 20n),
      tx(1, 3n, 5n),
      tx(1, 4n, 5n), // balance (10 - 6 left 4)
      tx(1, 2n, 1n), // below: nonce
      tx(0, 2n, 1n, CHAIN + 1), // chain
      Uint8Array.of(0x89, 1, 2), // decode
      tx(2, 0n, 1n), // unknown sender: balance
    ];
    const inline = new InlineValidator({ chainId: CHAIN, state, mempool });
    const door = new DoorCheckedValidator({ chainId: CHAIN, state, mempool });
    const want = await inline.validate(batch);
    expect(await door.validate(batch)).toEqual(want);
    expect(want).toContain("ok");
    expect(want).toContain("nonce");
    expect(want).toContain("balance");
    expect(want).toContain("chain");
    expect(want).toContain("decode");
    await inline.close();
    await door.close();
  });
});
