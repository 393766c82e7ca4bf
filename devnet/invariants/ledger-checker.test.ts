import { describe, expect, test } from "bun:test";
import { addressBytesOf } from "../../core/crypto/address.ts";
import { utf8 } from "../../core/crypto/bytes.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
import { modelSuite } from "../../core/crypto/suite.ts";
import { encodeTransfer, transferId, type Transfer } from "../../core/tx/transfer.ts";
import { hexOf } from "../../core/wan/encoding/hex.ts";
import { Ledger } from "../../core/wan/ledger/ledger.ts";
import { signTransferWith } from "../../core/wan/ledger/transfer-suite.ts";
import { LedgerChecker, type RoundRecord } from "./ledger-checker.ts";

const suite = modelSuite();
const CHAIN = 5;
const key = (i: number) => sha256(utf8(`ledger-checker-test/${i}`));
const pub = (i: number) => suite.signer.publicKey(key(i));
const addr = (i: number) => addressBytesOf(pub(i));
const proposer = pub(9);

function setup() {
  const genesis = Ledger.fromGenesis([0, 1, 2].map((i) => [addr(i), { balance: 1000n, nonce: 0n }] as const));
  const txs = new Map<string, Transfer>();
  const make = (from: number, to: number, nonce: bigint, amount: bigint) => {
    const tx = signTransferWith(
      suite.signer,
      { chainId: CHAIN, from: pub(from), to: addr(to), amount, fee: 1n, nonce },
      key(from),
    );
    const id = hexOf(transferId(encodeTransfer(tx)));
    txs.set(id, tx);
    return id;
  };
  const checker = new LedgerChecker({
    genesis,
    chainId: CHAIN,
    signer: suite.signer,
    transfer: (id) => txs.get(id),
  });
  // What the honest chain's roots are: applied to a copy of genesis.
  const shadow = genesis.clone();
  const round = (node: string, r: number, ids: string[], root?: string): RoundRecord => {
    if (root === undefined) {
      for (const id of ids) shadow.applyTransfer(txs.get(id)!, addressBytesOf(proposer));
      root = shadow.root().toHex();
    }
    return {
      seq: r,
      at: r,
      node,
      round: r,
      block: `b${r}`,
      prev: `b${r - 1}`,
      stateRoot: root,
      kept: ids.map((id) => ({ id, beneficiary: proposer })),
    };
  };
  return { checker, make, round, genesis, txs };
}

const statuses = (c: LedgerChecker) =>
  Object.fromEntries(
    [
      c.roundAgreement(),
      c.validity(),
      c.noDoubleSpend(),
      c.conservation(new Map()),
      c.stateRoots(),
      c.acknowledgedNotLost(),
    ].map((r) => [r.name, r.status]),
  );

describe("LedgerChecker", () => {
  test("a valid chain seen by two nodes passes every check; a double spend's loser is provably invalid", () => {
    const { checker, make, round } = setup();
    const a = make(0, 1, 0n, 10n);
    const twin = make(0, 2, 0n, 20n);
    const b = make(1, 2, 0n, 5n);
    const over = make(2, 0, 0n, 10_000n);
    for (const id of [a, twin, b, over]) checker.acknowledge(id);
    const r1 = round("n0", 1, [a]);
    const r2 = round("n0", 2, [b]);
    for (const r of [r1, r2]) checker.recordRound(r);
    for (const r of [r1, r2]) checker.recordRound({ ...r, node: "n1" });
    expect(statuses(checker)).toEqual({
      "wan-agreement": "pass",
      "wan-validity": "pass",
      "no-double-spend": "pass",
      conservation: "pass",
      "state-roots": "pass",
      "acknowledged-not-lost": "pass",
    });
    expect(checker.provablyInvalid(twin)).toBe("slot spent");
    expect(checker.provablyInvalid(over)).toBe("exceeds supply");
    expect(checker.finalized()).toBe(2);
  });

  test("a double spend finalized is reported (and breaks in-order validity)", () => {
    const { checker, make, round } = setup();
    const a = make(0, 1, 0n, 10n);
    const twin = make(0, 2, 0n, 20n);
    checker.recordRound(round("n0", 1, [a]));
    checker.recordRound(round("n0", 2, [twin], "00"));
    expect(checker.noDoubleSpend().status).toBe("fail");
    expect(checker.validity().status).toBe("fail");
    expect(checker.validity().detail).toContain("nonce");
  });

  test("two blocks for one round, a wrong root, a node out of order, a lost acknowledged transfer", () => {
    const { checker, make, round } = setup();
    const a = make(0, 1, 0n, 10n);
    const lost = make(1, 0, 0n, 10n);
    checker.acknowledge(lost);
    const r1 = round("n0", 1, [a]);
    checker.recordRound(r1);
    checker.recordRound({ ...r1, node: "n1", stateRoot: "ff" });
    expect(checker.stateRoots().status).toBe("fail");
    checker.recordRound({ ...r1, node: "n2", block: "other" });
    expect(checker.roundAgreement().status).toBe("fail");
    expect(checker.acknowledgedNotLost().status).toBe("fail");
    const late = setup();
    late.checker.recordRound(late.round("n0", 2, []));
    expect(late.checker.roundAgreement().detail).toContain("round 2 after 0");
  });

  test("an unknown or unsigned transfer, a certified root that is not the replay's, a mint", () => {
    const { checker, make, round, txs } = setup();
    const a = make(0, 1, 0n, 10n);
    txs.set(a, { ...txs.get(a)!, signature: new Uint8Array(64) });
    checker.recordRound(round("n0", 1, [a], "00"));
    expect(checker.validity().detail).toContain("not validly signed");
    const s = setup();
    s.checker.recordRound(s.round("n0", 1, ["ab".repeat(32)], "00"));
    expect(s.checker.validity().detail).toContain("never submitted");
    const m = setup();
    expect(m.checker.conservation(new Map([["n3", m.genesis.supply() + 1n]])).status).toBe("fail");
  });
});
