import { describe, expect, test } from "bun:test";
import { toHex } from "../../crypto/bytes.ts";
import { modelSuite } from "../../crypto/suite.ts";
import { ids, testAccount } from "../testing/fixtures.ts";
import {
  isEquivocation,
  type ProposalBody,
  ProposalBlockCodec,
  proposalHash,
  proposalIsWellFormed,
  signProposal,
} from "./proposal-block.ts";

const suite = modelSuite();
const h = testAccount(suite.signer, "harvester");
const base: ProposalBody = {
  epoch: 1,
  round: 4,
  ref: ids(1, "ref")[0]!,
  proposer: h.publicKey,
  txs: ids(3, "tx"),
};

describe("proposal blocks", () => {
  test("every field is in the hash, ref included (Versatus omitted ref_block: §1.9 item 8)", () => {
    const d = toHex(proposalHash(base));
    const variants: ProposalBody[] = [
      { ...base, epoch: 2 },
      { ...base, round: 5 },
      { ...base, ref: ids(1, "other-ref")[0]! },
      { ...base, proposer: testAccount(suite.signer, "x").publicKey },
      { ...base, txs: ids(2, "tx") },
      { ...base, txs: [...ids(3, "tx")].reverse() },
    ];
    for (const v of variants) expect(toHex(proposalHash(v))).not.toBe(d);
  });

  test("signed by the proposer; any change, a wrong key or a duplicate id fails the check", () => {
    const p = signProposal(suite.signer, base, h.secretKey);
    expect(proposalIsWellFormed(suite.signer, p)).toBe(true);
    expect(proposalIsWellFormed(suite.signer, ProposalBlockCodec.decode(ProposalBlockCodec.encode(p)))).toBe(
      true,
    );
    expect(proposalIsWellFormed(suite.signer, { ...p, ref: ids(1, "x")[0]! })).toBe(false);
    expect(
      proposalIsWellFormed(suite.signer, { ...p, proposer: testAccount(suite.signer, "y").publicKey }),
    ).toBe(false);
    const dup = signProposal(suite.signer, { ...base, txs: [base.txs[0]!, base.txs[0]!] }, h.secretKey);
    expect(proposalIsWellFormed(suite.signer, dup)).toBe(false);
  });

  test("two different proposals of one harvester in one round are equivocation", () => {
    expect(isEquivocation(base, { ...base, txs: [] })).toBe(true);
    expect(isEquivocation(base, { ...base })).toBe(false);
    expect(isEquivocation(base, { ...base, round: 5, txs: [] })).toBe(false);
  });
});
