import { describe, expect, test } from "bun:test";
import { toHex } from "../crypto/bytes.ts";
import { createModelSigner } from "../crypto/model-signer.ts";
import { sha256 } from "../crypto/sha256.ts";
import { dkgMessageFromBytes, dkgMessageToBytes } from "../dkg/codec.ts";
import type { DkgDeal } from "../dkg/messages.ts";
import { boxKeyPair, modelShareBox } from "../dkg/share-box.ts";
import { modelGroup } from "../threshold/model.ts";
import { seededRandom } from "../threshold/seeded-random.ts";
import { QuorumKeying } from "./quorum-keying.ts";
import { decodeItem, encodeItem } from "./quorum-wire.ts";

const chain = sha256(new TextEncoder().encode("keying-test-chain"));
const session = sha256(new TextEncoder().encode("keying-test-session"));

function quorum(n: number, opts: { silent?: number[] } = {}) {
  const signer = createModelSigner();
  const sks = Array.from({ length: n }, (_, i) => sha256(new TextEncoder().encode(`k/${i}`)));
  const pks = sks.map((sk) => signer.publicKey(sk));
  const boxes = sks.map((_, i) => boxKeyPair(seededRandom(`box/${i}`)));
  const members = pks.map((id, i) => ({ id, encryptionKey: boxes[i]!.publicKey }));
  const sign = (i: number) => (m: Uint8Array) => signer.sign(sks[i]!, m);
  const keyings = members.map(
    (_, i) =>
      new QuorumKeying<bigint>({
        group: modelGroup,
        box: modelShareBox,
        chain,
        session,
        members,
        self: i,
        encryptionSecret: boxes[i]!.secretKey,
        random: seededRandom(`dkg/${i}`),
        sign: sign(i),
        verify: (a, m, sig) => signer.verify(pks[a]!, m, sig),
        ...(opts.silent?.includes(i) ? { deal: false } : {}),
      }),
  );
  return { keyings, sign, members };
}

/** Feed one block to every member; return the items they produce. */
function block(keyings: QuorumKeying<bigint>[], height: number, items: Uint8Array[]) {
  const outs = keyings.map((k) => k.applyBlock(height, items));
  return { outs, items: outs.flatMap((o) => o.items) };
}

describe("QuorumKeying: the DKG over a finalized log", () => {
  test("good case: all Deals in block 1, every complaints item in block 2, same key everywhere", () => {
    const { keyings } = quorum(4);
    const deals = keyings.flatMap((k) => k.start());
    expect(deals.length).toBe(4);
    const b1 = block(keyings, 1, deals);
    expect(b1.outs[0]!.markers).toEqual(["end-dealing"]);
    // One (empty) complaints item per member: "no complaint".
    expect(b1.items.length).toBe(4);
    const b2 = block(keyings, 2, b1.items);
    expect(b2.outs[0]!.markers).toEqual(["end-complaints", "end-justifications"]);
    const results = keyings.map((k) => k.result()!);
    for (const r of results) {
      expect(r.height).toBe(2);
      expect(r.result.ok).toBe(true);
    }
    const keys = results.map((r) => (r.result.ok ? r.result.groupKey : 0n));
    expect(new Set(keys).size).toBe(1);
    expect(new Set(results.map((r) => toHex(r.result.transcript))).size).toBe(1);
    expect(results.every((r) => r.result.ok && r.result.share !== undefined)).toBe(true);
  });

  test("a silent dealer: EndDealing waits for the window, then the key excludes it", () => {
    const { keyings } = quorum(4, { silent: [2] });
    const deals = keyings.flatMap((k) => k.start());
    expect(deals.length).toBe(3);
    let { items } = block(keyings, 1, deals);
    expect(items.length).toBe(0);
    for (let h = 2; h < 8; h++) expect(block(keyings, h, []).items.length).toBe(0);
    ({ items } = block(keyings, 8, []));
    expect(items.length).toBe(4);
    block(keyings, 9, items);
    const r = keyings[0]!.result()!;
    expect(r.height).toBe(9);
    expect(r.result.ok && r.result.qual.length).toBe(3);
    expect(r.result.excluded.map((e) => e.reason)).toEqual(["no-deal"]);
  });

  test("two silent dealers of four: the DKG fails the same way for everyone", () => {
    const { keyings } = quorum(4, { silent: [0, 3] });
    let items = keyings.flatMap((k) => k.start());
    for (let h = 1; h <= 30 && keyings[0]!.result() === undefined; h++)
      items = block(keyings, h, items).items;
    for (const k of keyings) {
      const r = k.result()!;
      expect(r.result.ok).toBe(false);
      expect(!r.result.ok && r.result.code).toBe("DKG_TOO_FEW_DEALERS");
    }
  });

  test("a bad share is complained about and justified through the log; duplicates and forgeries are skipped", () => {
    const { keyings, sign } = quorum(4);
    const deals = keyings.flatMap((k) => k.start());
    // Dealer 1 corrupts member 3's ciphertext, and signs the result (a byzantine but authentic Deal).
    const it = decodeItem(deals[1]!);
    const deal = dkgMessageFromBytes(modelGroup, it.entries[0]!) as DkgDeal<bigint>;
    const cts = deal.ciphertexts.map((c) => c.slice());
    cts[3]![0]! ^= 1;
    const badDeal = encodeItem(
      chain,
      1,
      0,
      [dkgMessageToBytes(modelGroup, { ...deal, ciphertexts: cts })],
      sign(1),
    );
    // A forged item: member 0's Deal claimed by member 2's signature slot.
    const forged = encodeItem(chain, 0, 0, it.entries, sign(2));
    const b1 = block(keyings, 1, [deals[0]!, badDeal, deals[2]!, deals[3]!, deals[0]!, forged]);
    expect(b1.outs[0]!.rejected).toBe(1);
    const b2 = block(keyings, 2, b1.items);
    // Member 3 complained against dealer 1; dealer 1 answers with a justification item.
    expect(b2.outs[0]!.markers).toEqual(["end-complaints"]);
    expect(b2.items.length).toBe(1);
    const b3 = block(keyings, 3, b2.items);
    expect(b3.outs[0]!.markers).toEqual(["end-justifications"]);
    const keys = keyings.map((k) => k.result()!.result);
    expect(keys.every((r) => r.ok && r.qual.length === 4)).toBe(true);
    expect(new Set(keys.map((r) => (r.ok ? r.groupKey : 0n))).size).toBe(1);
    // The complainer got its share from the justification and can sign.
    expect(keys.every((r) => r.ok && r.share !== undefined)).toBe(true);
  });
});
