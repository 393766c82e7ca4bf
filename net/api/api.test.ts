/**
 * The node API over real HTTP (Bun.serve on 127.0.0.1, port 0): every refusal is a 4xx JSON error with
 * the documented code and changes no state (root, round, mempool size); the happy paths answer with the
 * documented shapes; the admin listener wants its token and refuses browsers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressBytesOf, formatAddress } from "../../core/crypto/address.ts";
import { toHex } from "../../core/crypto/bytes.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
import { encodeTransfer, signTransfer, type Transfer } from "../../core/tx/transfer.ts";
import { type SoloNode, startSoloNode } from "./solo-node.ts";
import { NodeInfoSchema, PeersSchema, RoundDetailSchema } from "./schemas.ts";
import { type ApiEvent, type TransferJson, transferToJson } from "./wire.ts";

const CHAIN = 31337;
const dir = mkdtempSync(join(tmpdir(), "lattice-api-"));
const keys: KeyPair[] = Array.from({ length: 3 }, (_, i) => keyPairFromSeed(sha256(Uint8Array.of(0xa1, i))));
const stranger = keyPairFromSeed(sha256(Uint8Array.of(0xee)));
const addr = (k: KeyPair) => addressBytesOf(k.publicKey);
let node: SoloNode;

beforeAll(async () => {
  node = await startSoloNode({
    dataDir: dir,
    chainId: CHAIN,
    genesis: keys.map((k) => ({ address: addr(k), balance: 1_000_000n })),
    version: "test",
    blockTimeMs: 3_600_000, // rounds only when the test asks (admin produce-round)
    synchronous: "normal",
  });
});
afterAll(async () => {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

function signed(
  from: KeyPair,
  to: Uint8Array,
  amount: bigint,
  nonce: bigint,
  fee = 1n,
  chainId = CHAIN,
): Transfer {
  return signTransfer({ chainId, from: from.publicKey, to, amount, fee, nonce }, from.secretKey);
}

async function post(
  body: RequestInit["body"],
  contentType = "application/json",
  extra: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${node.apiUrl}/v1/transactions`, {
    method: "POST",
    headers: { "content-type": contentType, ...extra },
    body,
  });
}

async function admin(path: string, init: RequestInit = {}, token: string | null = node.adminToken) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return fetch(`${node.adminUrl}${path}`, { ...init, headers });
}

function snapshot() {
  return { round: node.ledger.round, root: toHex(node.ledger.root), pending: node.ledger.mempoolSize };
}

async function expectError(res: Response, status: number, code: string): Promise<void> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe("string");
  expect(res.headers.get("content-type")).toContain("application/json");
}

describe("refusals change nothing", () => {
  let nonceOneDone = false;
  beforeAll(async () => {
    // keys[0] gets nonce 1 in the state, so nonce 0 is "too low".
    const res = await post(JSON.stringify(transferToJson(signed(keys[0]!, addr(keys[1]!), 10n, 0n))));
    expect(res.status).toBe(202);
    const r = await admin("/admin/v1/rounds", { method: "POST" });
    expect(r.status).toBe(200);
    nonceOneDone = node.ledger.account(addr(keys[0]!))?.nonce === 1n;
  });

  const good = () => transferToJson(signed(keys[0]!, addr(keys[2]!), 5n, 1n));
  const cases: [string, () => Promise<Response>, number, string][] = [
    ["malformed JSON", () => post('{"chainId": 1,'), 400, "MALFORMED_JSON"],
    ["bad CBOR", () => post(Uint8Array.of(0xa1, 0x01, 0x02), "application/cbor"), 400, "TX_DECODE"],
    [
      "non-canonical CBOR",
      () => {
        const b = encodeTransfer(signed(keys[0]!, addr(keys[2]!), 5n, 1n));
        // chainId 31337 (0x19 7a69) re-encoded with a 4-byte head: same value, not the shortest form.
        const widened = new Uint8Array([...b.subarray(0, 4), 0x1a, 0, 0, 0x7a, 0x69, ...b.subarray(7)]);
        return post(widened, "application/cbor");
      },
      400,
      "TX_DECODE",
    ],
    [
      "bad signature",
      () => {
        const j = good();
        const sig = j.signature;
        return post(JSON.stringify({ ...j, signature: (sig[0] === "0" ? "1" : "0") + sig.slice(1) }));
      },
      422,
      "TX_SIGNATURE",
    ],
    [
      "wrong chain",
      () => post(JSON.stringify(transferToJson(signed(keys[0]!, addr(keys[2]!), 5n, 1n, 1n, 1)))),
      422,
      "TX_CHAIN",
    ],
    [
      "nonce too low",
      () => post(JSON.stringify(transferToJson(signed(keys[0]!, addr(keys[2]!), 5n, 0n)))),
      409,
      "TX_NONCE_TOO_LOW",
    ],
    [
      "nonce too far ahead",
      () => post(JSON.stringify(transferToJson(signed(keys[0]!, addr(keys[2]!), 5n, 500n)))),
      409,
      "TX_NONCE_GAP",
    ],
    [
      "overspend",
      () => post(JSON.stringify(transferToJson(signed(keys[1]!, addr(keys[2]!), 2_000_000n, 0n)))),
      422,
      "TX_BALANCE",
    ],
    [
      "unknown sender",
      () => post(JSON.stringify(transferToJson(signed(stranger, addr(keys[2]!), 0n, 0n, 0n)))),
      422,
      "TX_SENDER_UNKNOWN",
    ],
    [
      "unknown account",
      () => fetch(`${node.apiUrl}/v1/accounts/${formatAddress(addr(stranger))}`),
      404,
      "ACCOUNT_NOT_FOUND",
    ],
    ["bad address", () => fetch(`${node.apiUrl}/v1/accounts/lat1notanaddress`), 400, "VALIDATION"],
    ["unknown tx", () => fetch(`${node.apiUrl}/v1/transactions/${"ab".repeat(32)}`), 404, "TX_NOT_FOUND"],
    ["bad tx id", () => fetch(`${node.apiUrl}/v1/transactions/xyz`), 400, "VALIDATION"],
    ["unknown round", () => fetch(`${node.apiUrl}/v1/rounds/999999`), 404, "ROUND_NOT_FOUND"],
    ["unknown route", () => fetch(`${node.apiUrl}/v1/nothing`), 404, "NOT_FOUND"],
    [
      "oversized body",
      () => post(JSON.stringify({ ...good(), pad: "x".repeat(10_000) })),
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    [
      "oversized chunked body",
      () =>
        post(
          new ReadableStream({
            start(c) {
              for (let i = 0; i < 8; i++) c.enqueue(new Uint8Array(1024).fill(0x20));
              c.close();
            },
          }),
        ),
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    ["unknown field", () => post(JSON.stringify({ ...good(), memo: "hi" })), 400, "VALIDATION"],
    ["missing field", () => post(JSON.stringify({ ...good(), fee: undefined })), 400, "VALIDATION"],
    ["amount as a number", () => post(JSON.stringify({ ...good(), amount: 5 })), 400, "VALIDATION"],
    [
      "amount above u64",
      () => post(JSON.stringify({ ...good(), amount: "18446744073709551616" })),
      400,
      "VALIDATION",
    ],
    ["bad recipient", () => post(JSON.stringify({ ...good(), to: "lat1qqqq" })), 400, "VALIDATION"],
    [
      "wrong content type",
      () => post("chainId=1", "application/x-www-form-urlencoded"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    ["bad query", () => fetch(`${node.apiUrl}/v1/rounds?limit=0`), 400, "VALIDATION"],
    ["unknown query field", () => fetch(`${node.apiUrl}/v1/rounds?colour=red`), 400, "VALIDATION"],
    ["admin without token", () => admin("/admin/v1/log-level", {}, null), 401, "UNAUTHORIZED"],
    ["admin with a wrong token", () => admin("/admin/v1/log-level", {}, "0".repeat(64)), 401, "UNAUTHORIZED"],
    [
      "admin cheat with a wrong token",
      () =>
        admin(
          `/admin/v1/accounts/${formatAddress(addr(keys[0]!))}/balance`,
          { method: "PUT", body: JSON.stringify({ balance: "1" }) },
          // One character off; the token is random, so pick a last character it does not already have.
          `${node.adminToken.slice(0, -1)}${node.adminToken.endsWith("0") ? "1" : "0"}`,
        ),
      401,
      "UNAUTHORIZED",
    ],
    [
      "admin from a browser",
      () => admin("/admin/v1/rounds", { method: "POST", headers: { origin: "http://evil.example" } }),
      403,
      "FORBIDDEN",
    ],
    [
      "admin unknown field",
      () => admin("/admin/v1/log-level", { method: "PUT", body: JSON.stringify({ level: "info", x: 1 }) }),
      400,
      "VALIDATION",
    ],
    [
      "admin chaos on a solo node",
      () => admin("/admin/v1/chaos", { method: "DELETE" }),
      501,
      "NOT_IMPLEMENTED",
    ],
  ];

  for (const [name, send, status, code] of cases) {
    test(`${name} -> ${status} ${code}`, async () => {
      expect(nonceOneDone).toBe(true);
      const before = snapshot();
      await expectError(await send(), status, code);
      expect(snapshot()).toEqual(before);
    });
  }

  test("a duplicate -> 409 TX_DUPLICATE, and the original stays pending", async () => {
    const body = JSON.stringify(good());
    const first = await post(body);
    expect(first.status).toBe(202);
    const before = snapshot();
    await expectError(await post(body), 409, "TX_DUPLICATE");
    await expectError(
      await post(encodeTransfer(signed(keys[0]!, addr(keys[2]!), 5n, 1n)), "application/cbor"),
      409,
      "TX_DUPLICATE",
    );
    expect(snapshot()).toEqual(before);
  });
});

describe("happy paths", () => {
  test("JSON and CBOR submissions go final; status, account, rounds and node answer", async () => {
    const nonce = node.ledger.nextNonce(addr(keys[1]!));
    const a = signed(keys[1]!, addr(keys[2]!), 100n, nonce, 3n);
    const b = signed(keys[1]!, addr(keys[2]!), 200n, nonce + 1n, 3n);
    const ra = await post(JSON.stringify(transferToJson(a)));
    const rb = await post(encodeTransfer(b), "application/cbor; charset=binary");
    expect([ra.status, rb.status]).toEqual([202, 202]);
    const ida = ((await ra.json()) as { id: string }).id;
    const idb = ((await rb.json()) as { id: string }).id;
    const pending = (await (await fetch(`${node.apiUrl}/v1/transactions/${ida}`)).json()) as {
      status: string;
      tx: TransferJson;
    };
    expect(pending.status).toBe("pending");
    expect(pending.tx).toEqual(transferToJson(a));
    const produced = (await (await admin("/admin/v1/rounds", { method: "POST" })).json()) as {
      round: string;
      final: number;
    };
    expect(produced.final).toBeGreaterThanOrEqual(2);
    for (const id of [ida, idb]) {
      const s = (await (await fetch(`${node.apiUrl}/v1/transactions/${id}`)).json()) as {
        status: string;
        round: string;
      };
      expect(s).toMatchObject({ status: "final", round: produced.round });
    }
    const acct = (await (
      await fetch(`${node.apiUrl}/v1/accounts/${formatAddress(addr(keys[1]!))}`)
    ).json()) as Record<string, unknown>;
    expect(acct).toMatchObject({ exists: true, nonce: (nonce + 2n).toString(), round: produced.round });
    expect(acct.proof).toBeUndefined();
    const withProof = (await (
      await fetch(`${node.apiUrl}/v1/accounts/${formatAddress(addr(keys[1]!))}?proof=true`)
    ).json()) as {
      proof: { root: string; round: string; siblings: string[] };
    };
    expect(withProof.proof.root).toBe(toHex(node.ledger.root));
    expect(withProof.proof.round).toBe(produced.round);
    const absent = await fetch(`${node.apiUrl}/v1/accounts/${formatAddress(addr(stranger))}?proof=true`);
    expect(absent.status).toBe(200);
    expect(await absent.json()).toMatchObject({ exists: false, balance: "0" });
    const round = (await (await fetch(`${node.apiUrl}/v1/rounds/${produced.round}`)).json()) as {
      txs: { id: string; status: string }[];
    };
    expect(round.txs.map((t) => t.id)).toContain(ida);
    // A solo node has no consensus blocks: the fields are there, null, and the answer fits the schema.
    expect(RoundDetailSchema.parse(round)).toMatchObject({ hash: null, certificate: null });
    const latest = (await (await fetch(`${node.apiUrl}/v1/rounds/latest`)).json()) as { round: string };
    expect(latest.round).toBe(produced.round);
    const page1 = (await (await fetch(`${node.apiUrl}/v1/rounds?limit=1`)).json()) as {
      rounds: { round: string }[];
      next: string;
    };
    expect(page1.rounds[0]!.round).toBe(produced.round);
    const page2 = (await (await fetch(`${node.apiUrl}/v1/rounds?limit=1&before=${page1.next}`)).json()) as {
      rounds: { round: string }[];
    };
    expect(BigInt(page2.rounds[0]!.round)).toBeLessThan(BigInt(produced.round));
    const info = (await (await fetch(`${node.apiUrl}/v1/node`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ chainId: CHAIN, mode: "solo", nodeId: node.nodeId, round: produced.round });
    expect(NodeInfoSchema.parse(info).consensus).toBeNull();
    const peers = PeersSchema.parse(await (await fetch(`${node.apiUrl}/v1/peers`)).json());
    expect(peers.peers).toEqual([expect.objectContaining({ self: true, nodeId: node.nodeId, reputation: null })]);
    const quorums = (await (await fetch(`${node.apiUrl}/v1/quorums`)).json()) as {
      quorums: { members: string[] }[];
    };
    expect(quorums.quorums[0]!.members).toEqual([node.nodeId]);
    expect(
      ((await (await fetch(`${node.apiUrl}/v1/domains`)).json()) as { domains: unknown[] }).domains.length,
    ).toBe(1);
  });

  test("health, readiness, metrics and the OpenAPI document", async () => {
    expect((await fetch(`${node.apiUrl}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${node.apiUrl}/readyz`)).json()).toMatchObject({ status: "ready" });
    const metrics = await (await fetch(`${node.apiUrl}/metrics`)).text();
    for (const name of [
      "lattice_api_requests_total",
      "lattice_api_request_duration_seconds_bucket",
      "lattice_ledger_transactions_total",
      "lattice_ledger_last_round",
      "lattice_mempool_transactions",
      "lattice_ledger_finality_seconds_bucket",
      "lattice_api_submissions_total",
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toContain('route="/v1/transactions/:id"');
    const doc = (await (await fetch(`${node.apiUrl}/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const p of [
      "/v1/transactions",
      "/v1/transactions/{id}",
      "/v1/accounts/{address}",
      "/v1/rounds/{n}",
      "/v1/events",
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });

  test("the event stream delivers accepted, final and round events, and resumes after Last-Event-ID", async () => {
    const res = await fetch(`${node.apiUrl}/v1/events?types=tx.accepted,tx.final,round`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const events: ApiEvent[] = [];
    let buffer = "";
    let subscribed = false;
    const decoder = new TextDecoder();
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buffer += decoder.decode(value, { stream: true });
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (block.includes(": subscribed")) subscribed = true;
          const data = block.split("\n").find((l) => l.startsWith("data: "));
          if (data !== undefined) events.push(JSON.parse(data.slice(6)) as ApiEvent);
          cut = buffer.indexOf("\n\n");
        }
      }
    };
    await readUntil(() => subscribed);
    const nonce = node.ledger.nextNonce(addr(keys[2]!));
    const r = await post(JSON.stringify(transferToJson(signed(keys[2]!, addr(keys[0]!), 1n, nonce))));
    const { id } = (await r.json()) as { id: string };
    await admin("/admin/v1/rounds", { method: "POST" });
    await readUntil(() => events.some((e) => e.type === "round"));
    await reader.cancel();
    const kinds = events.map((e) => `${e.type}:${"id" in e ? e.id : ""}`);
    expect(kinds).toContain(`tx.accepted:${id}`);
    expect(kinds).toContain(`tx.final:${id}`);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    // Resume: ask for what came after the first event; the ring replays the rest.
    const again = await fetch(`${node.apiUrl}/v1/events?types=tx.final`, {
      headers: { "last-event-id": String(seqs[0]! - 1) },
    });
    const replay = again.body!.getReader();
    let seen = "";
    while (!seen.includes(`"id":"${id}"`)) {
      const { value, done } = await replay.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    await replay.cancel();
    expect(seen).toContain("event: tx.final");
    expect(seen).toContain(`"id":"${id}"`);
  });

  test("admin: log level, set-balance cheat, byzantine hook absent; token file is 0600", async () => {
    expect(statSync(node.adminTokenPath).mode & 0o777).toBe(0o600);
    expect(await (await admin("/admin/v1/log-level")).json()).toEqual({ level: "info" });
    const put = await admin("/admin/v1/log-level", {
      method: "PUT",
      body: JSON.stringify({ level: "debug" }),
    });
    expect(await put.json()).toEqual({ level: "debug" });
    expect(node.logger.level).toBe("debug");
    const target = formatAddress(addr(stranger));
    const set = await admin(`/admin/v1/accounts/${target}/balance`, {
      method: "PUT",
      body: JSON.stringify({ balance: "777" }),
    });
    expect(set.status).toBe(200);
    expect(await (await fetch(`${node.apiUrl}/v1/accounts/${target}`)).json()).toMatchObject({
      balance: "777",
      exists: true,
    });
    await expectError(await admin("/admin/v1/byzantine"), 501, "NOT_IMPLEMENTED");
  });
});
