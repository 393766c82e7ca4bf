/**
 * The SDK against a real solo node on 127.0.0.1: the three finality outcomes, typed errors with the API's
 * codes, client-side proof verification (a tampered proof or balance is refused), subscriptions.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addressBytesOf, addressOf } from "../../core/crypto/address.ts";
import { type KeyPair, keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
import { type SoloNode, startSoloNode } from "../api/solo-node.ts";
import type { ApiEvent } from "../api/wire.ts";
import { LatticeClient } from "./client.ts";
import { ApiRequestError, NodeUnreachableError, ProofError } from "./client-error.ts";
import { buildTransfer } from "./transfer-builder.ts";

const CHAIN = 4242;
const dir = mkdtempSync(join(tmpdir(), "lattice-sdk-"));
const keys: KeyPair[] = Array.from({ length: 4 }, (_, i) => keyPairFromSeed(sha256(Uint8Array.of(0x5d, i))));
const address = (k: KeyPair) => addressOf(k.publicKey);
let node: SoloNode;
let client: LatticeClient;

beforeAll(async () => {
  node = await startSoloNode({
    dataDir: dir,
    chainId: CHAIN,
    genesis: keys.map((k) => ({ address: addressBytesOf(k.publicKey), balance: 10_000n })),
    version: "test",
    blockTimeMs: 20,
    synchronous: "normal",
  });
  client = new LatticeClient({ url: node.apiUrl });
});
afterAll(async () => {
  client.close();
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("finality outcomes", () => {
  test("final: JSON and CBOR transfers, nonce filled in by the client", async () => {
    const a = await client.transfer({ secretKey: keys[0]!.secretKey, to: address(keys[1]!), amount: 100n });
    const b = await client.transfer(
      { secretKey: keys[0]!.secretKey, to: address(keys[1]!), amount: 50n, fee: 2n },
      { encoding: "cbor" },
    );
    expect(b.tx.nonce).toBe(a.tx.nonce + 1n);
    const [oa, ob] = await Promise.all([
      client.waitForFinality(a.id, { timeoutMs: 10_000 }),
      client.waitForFinality(b.id, { timeoutMs: 10_000 }),
    ]);
    expect(oa.outcome).toBe("final");
    expect(ob.outcome).toBe("final");
    const acct = await client.getAccount(address(keys[0]!));
    expect(acct).toMatchObject({ exists: true, balance: 10_000n - 153n, nonce: 2n, nextNonce: 2n });
  });

  test("rejected: accepted at the door, then refused by the validator with its reason", async () => {
    // Both pass the door (nothing validated yet), together they overspend: the second is rejected.
    const s = keys[2]!;
    const n = await client.nextNonce(address(s));
    const chainId = await client.chainId();
    const first = buildTransfer({
      chainId,
      secretKey: s.secretKey,
      to: address(keys[3]!),
      amount: 6_000n,
      fee: 1n,
      nonce: n,
    });
    const second = buildTransfer({
      chainId,
      secretKey: s.secretKey,
      to: address(keys[3]!),
      amount: 6_000n,
      fee: 1n,
      nonce: n + 1n,
    });
    const submitted = await Promise.allSettled([client.submit(first), client.submit(second)]);
    const outcomes = await Promise.all(
      [first, second].map((t, i) =>
        submitted[i]!.status === "fulfilled" ? client.waitForFinality(t.id, { timeoutMs: 10_000 }) : null,
      ),
    );
    expect(outcomes[0]?.outcome).toBe("final");
    if (submitted[1]!.status === "rejected") {
      // Refused at the door instead (the first was validated in between): typed, with the code.
      expect(submitted[1].reason).toBeInstanceOf(ApiRequestError);
      expect((submitted[1].reason as ApiRequestError).code).toBe("TX_BALANCE");
    } else {
      const o = outcomes[1]!;
      expect(o.outcome).toBe("rejected");
      if (o.outcome === "rejected") expect(o.error.code).toBe("TX_BALANCE");
    }
  });

  test("indeterminate: a transaction waiting behind a nonce gap times out without a verdict", async () => {
    const s = keys[3]!;
    const n = await client.nextNonce(address(s));
    const t = buildTransfer({
      chainId: CHAIN,
      secretKey: s.secretKey,
      to: address(keys[0]!),
      amount: 1n,
      fee: 1n,
      nonce: n + 3n,
    });
    await client.submit(t);
    const o = await client.waitForFinality(t.id, { timeoutMs: 300, pollMs: 50 });
    expect(o).toEqual({ outcome: "indeterminate", id: t.id, reason: "timeout", lastStatus: "pending" });
    expect((await client.status(t.id))?.status).toBe("pending");
  });
});

describe("errors", () => {
  test("API refusals are ApiRequestError with the code and status", async () => {
    const t = buildTransfer({
      chainId: CHAIN,
      secretKey: keys[0]!.secretKey,
      to: address(keys[1]!),
      amount: 1n,
      fee: 1n,
      nonce: 0n,
    });
    const err = await client.submit(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(err).toMatchObject({ code: "TX_NONCE_TOO_LOW", status: 409 });
    const wrongChain = buildTransfer({
      chainId: 1,
      secretKey: keys[0]!.secretKey,
      to: address(keys[1]!),
      amount: 1n,
      fee: 1n,
      nonce: 9n,
    });
    expect(await client.submit(wrongChain, { encoding: "cbor" }).catch((e: unknown) => e)).toMatchObject({
      code: "TX_CHAIN",
      status: 422,
    });
    expect(await client.status("00".repeat(32))).toBeNull();
  });

  test("an unreachable node is NodeUnreachableError (indeterminate for a submission)", async () => {
    const dead = new LatticeClient({ url: "http://127.0.0.1:1", timeoutMs: 2000 });
    expect(await dead.node().catch((e: unknown) => e)).toBeInstanceOf(NodeUnreachableError);
  });
});

describe("proofs", () => {
  test("a proof verifies client-side, for a present and an absent account", async () => {
    const a = await client.getAccount(address(keys[1]!), { proof: true });
    expect(a.proof?.verified).toBe(true);
    expect(a.proof?.root).toEqual(node.ledger.root);
    const nobody = addressOf(keyPairFromSeed(sha256(Uint8Array.of(1))).publicKey);
    const b = await client.getAccount(nobody, { proof: true });
    expect(b.exists).toBe(false);
    expect(b.proof?.verified).toBe(true);
  });

  const tamper = (edit: (body: Record<string, unknown>) => void) =>
    new LatticeClient({
      url: node.apiUrl,
      fetch: (async (input: string | URL | Request, init?: RequestInit) => {
        const res = await fetch(input, init);
        if (!String(input).includes("/v1/accounts/")) return res;
        const body = (await res.json()) as Record<string, unknown>;
        edit(body);
        return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
      }) as typeof fetch,
    });

  test("a tampered balance, sibling, leaf or a foreign root is refused with ProofError", async () => {
    const who = address(keys[1]!);
    const edits: ((b: Record<string, unknown>) => void)[] = [
      (b) => {
        b.balance = (BigInt(b.balance as string) + 1n).toString();
      },
      (b) => {
        const p = b.proof as { siblings: string[] };
        p.siblings[0] = (p.siblings[0]![0] === "0" ? "1" : "0") + p.siblings[0]!.slice(1);
      },
      (b) => {
        const p = b.proof as { siblings: string[] };
        p.siblings.pop();
      },
      (b) => {
        b.exists = false;
      },
      (b) => {
        (b.proof as { root: string }).root = "11".repeat(32);
      },
    ];
    for (const edit of edits) {
      const err = await tamper(edit)
        .getAccount(who, { proof: true })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProofError);
    }
    // Untouched, through the same wrapper: it verifies (the wrapper itself is not what fails).
    expect((await tamper(() => undefined).getAccount(who, { proof: true })).proof?.verified).toBe(true);
    const foreign = await client
      .getAccount(who, { proof: true, trustedRoot: new Uint8Array(32) })
      .catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(ProofError);
  });
});

test("subscribe delivers round and transaction events", async () => {
  const seen: ApiEvent[] = [];
  let wanted = "";
  let gotIt: () => void = () => undefined;
  const got = new Promise<void>((resolve) => {
    gotIt = resolve;
  });
  const sub = client.subscribe(
    (e) => {
      seen.push(e);
      if (e.type === "tx.final" && e.id === wanted) gotIt();
    },
    { types: ["tx.final", "round"] },
  );
  expect(await sub.ready).toBe(true);
  const chainId = await client.chainId();
  const nonce = await client.nextNonce(address(keys[1]!));
  const t = buildTransfer({
    chainId,
    secretKey: keys[1]!.secretKey,
    to: address(keys[0]!),
    amount: 3n,
    fee: 1n,
    nonce,
  });
  wanted = t.id;
  await client.submit(t);
  const o = await client.waitForFinality(t.id, { timeoutMs: 10_000 });
  expect(o.outcome).toBe("final");
  await got;
  sub.close();
  expect(seen.some((e) => e.type === "tx.final" && e.id === t.id)).toBe(true);
  expect(seen.some((e) => e.type === "round")).toBe(true);
});
