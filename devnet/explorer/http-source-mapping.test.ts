/**
 * The pure mappings of HttpSource from node answers to the explorer's model: a round's certificate with
 * signers by UI name, nodes' reputation as their peers rate them, and the link matrix from the rules the
 * nodes report (devnet.json only when no node reports rules).
 */
import { expect, test } from "bun:test";
import type { PeerJson, RoundDetailJson } from "../../net/api/wire.ts";
import { linkInfosOf, reputationsOf, roundDetailOf } from "./http-source.ts";

const id = (c: string) => c.repeat(64);
const ids = new Map([
  [id("a"), "n0"],
  [id("b"), "n1"],
  [id("c"), "n2"],
]);

const round: RoundDetailJson = {
  round: "12",
  root: id("e"),
  time: 0,
  txCount: 0,
  rejectedCount: 0,
  note: null,
  hash: id("7"),
  certificate: {
    kind: "finalize",
    view: 14,
    block: id("7"),
    quorum: id("f"),
    signers: [id("a"), id("c"), id("d")],
    signatures: ["11".repeat(64), "22".repeat(64), "33".repeat(64)],
  },
  txs: [],
};

test("a round's certificate names known signers and keeps a short id for unknown ones", () => {
  const d = roundDetailOf(round, ids);
  expect(d.hash).toBe(id("7"));
  expect(d.certificate).toEqual({
    kind: "finalize",
    view: 14,
    quorum: id("f"),
    signers: ["n0", "n2", "dddddddd"],
    signatures: ["11".repeat(64), "22".repeat(64), "33".repeat(64)],
  });
  expect(roundDetailOf({ ...round, hash: null, certificate: null }).certificate).toBeNull();
});

test("a node's reputation is the mean score its peers give it; self rows and unrated nodes count for nothing", () => {
  const rep = (score: number) => ({
    score,
    latencyMs: null,
    latencySamples: 0,
    accepted: 1,
    failures: 0,
    invalid: {},
    invalidTotal: 0,
  });
  const peer = (nodeId: string, score: number | null, self = false): PeerJson => ({
    nodeId,
    addresses: [],
    self,
    connected: true,
    latencyMs: null,
    reputation: score === null ? null : rep(score),
  });
  const m = reputationsOf([
    [peer(id("a"), null, true), peer(id("b"), 0.5), peer(id("c"), 1)],
    [peer(id("b"), null, true), peer(id("a"), 0.8), peer(id("c"), 0.6)],
    null,
  ]);
  expect(m.get(id("a"))).toBeCloseTo(0.8);
  expect(m.get(id("b"))).toBeCloseTo(0.5);
  expect(m.get(id("c"))).toBeCloseTo(0.8);
  expect(m.has(id("d"))).toBe(false);
});

test("links: the nodes' rules in force win over devnet.json; devnet.json is the fallback; fired counts add up", () => {
  const recorded = [{ from: 0, to: 1, rule: { latencyMs: 300 } }];
  const fromNodes = linkInfosOf(
    [
      { rules: [{ from: id("a"), to: id("c"), rule: { partition: true } }], report: { [`${id("a")}>${id("c")}`]: { partition: 4 } } },
      { rules: [], report: { [`${id("a")}>${id("c")}`]: { partition: 1 } } },
      null,
    ],
    recorded,
    ids,
  );
  expect(fromNodes).toEqual({ "n0>n2": { partition: true, latencyMs: null, loss: null, fired: { partition: 5 } } });

  const fallback = linkInfosOf([{ rules: null, report: {} }, null], recorded, ids);
  expect(fallback).toEqual({ "n0>n1": { partition: false, latencyMs: 300, loss: null, fired: {} } });
});
