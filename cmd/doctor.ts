/**
 * `lattice doctor`: check that this machine and this build can run a node, the way `flutter doctor`
 * does: the runtime, native and reference crypto agreeing, threshold BLS, SQLite with WAL and crash-safe
 * reopen, the validator unit's worker cores (the part most likely to break inside a compiled binary),
 * and loopback sockets. Exit 1 when any check fails, saying which and why.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { addressBytesOf } from "../core/crypto/address.ts";
import { fromHex, toHex } from "../core/crypto/bytes.ts";
import { nativeEd25519, nobleEd25519 } from "../core/crypto/ed25519.ts";
import { Mempool } from "../core/mempool/mempool.ts";
import { verifyAccountProof } from "../core/state/account-proof.ts";
import { SqliteRoundStore } from "../core/state/sqlite-round-store.ts";
import { StateStore } from "../core/state/state-store.ts";
import { blsScheme } from "../core/threshold/bls.ts";
import { dealKeys } from "../core/threshold/dealer.ts";
import { seededRandom } from "../core/threshold/seeded-random.ts";
import { encodeTransfer, signTransfer } from "../core/tx/transfer.ts";
import { InlineValidator } from "../core/validator/validator.ts";
import { ValidatorPool } from "../core/validator/validator-pool.ts";
import { devAccounts } from "../fixtures/dev-keys.ts";
import { EXIT_FAILURE } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";
import { VERSION } from "./version.ts";

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

async function check(name: string, fn: () => Promise<string> | string): Promise<Check> {
  const t0 = performance.now();
  try {
    const detail = await fn();
    return { name, ok: true, detail, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    const detail =
      e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);
    return { name, ok: false, detail, ms: Math.round(performance.now() - t0) };
  }
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

const CHAIN = 1;

async function workersCheck(): Promise<string> {
  const accounts = devAccounts(4);
  const genesis = accounts.map((a) => ({
    address: addressBytesOf(a.keyPair.publicKey),
    balance: 1_000_000n,
    nonce: 0n,
  }));
  const state = StateStore.open({ capacity: 64, shared: true, genesis });
  const mempool = new Mempool({
    capacity: 64,
    shared: true,
    nonceOf: (s) => state.getAccount(s)?.nonce ?? 0n,
  });
  const batch: Uint8Array[] = [];
  for (const [i, a] of accounts.entries()) {
    for (let nonce = 0n; nonce < 8n; nonce++) {
      const to = genesis[(i + 1) % genesis.length]!.address;
      batch.push(
        encodeTransfer(
          signTransfer(
            { chainId: CHAIN, from: a.keyPair.publicKey, to, amount: 5n, fee: 1n, nonce },
            a.keyPair.secretKey,
          ),
        ),
      );
    }
  }
  const bad = batch[3]!.slice();
  bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
  batch.push(bad);
  const workers = Math.max(1, Math.min(2, navigator.hardwareConcurrency));
  const pool = await ValidatorPool.start({
    workerUrl: new URL("./validator.worker.ts", import.meta.url),
    workers,
    chainId: CHAIN,
    state,
    mempool,
  });
  const inline = new InlineValidator({ chainId: CHAIN, state, mempool });
  try {
    const [fromPool, fromInline] = [await pool.validate(batch), await inline.validate(batch)];
    assert(
      JSON.stringify(fromPool) === JSON.stringify(fromInline),
      "worker verdicts differ from inline verdicts",
    );
    const ok = fromPool.filter((v) => v === "ok").length;
    assert(
      ok === batch.length - 1 && fromPool.at(-1) === "signature",
      `unexpected verdicts ${fromPool.join(",")}`,
    );
    return `${workers} worker core(s) validated ${batch.length} transfers (${ok} ok, 1 forged signature caught), same as inline`;
  } finally {
    await pool.close();
    await inline.close();
    state.close();
  }
}

export async function runDoctor(): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(
    await check("runtime", () => {
      const compiled = Bun.main.includes("$bunfs") || Bun.main.includes("~BUN");
      return `lattice ${VERSION}, bun ${Bun.version}, ${process.platform}/${process.arch}, ${navigator.hardwareConcurrency} cores, ${compiled ? "compiled binary" : "from source"}`;
    }),
  );
  checks.push(
    await check("ed25519: native agrees with the noble reference (RFC 8032 vector 2)", () => {
      const sk = fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
      const msg = Uint8Array.of(0x72);
      const a = nativeEd25519.sign(sk, msg);
      assert(toHex(a) === toHex(nobleEd25519.sign(sk, msg)), "signatures differ");
      assert(nobleEd25519.verify(nativeEd25519.publicKey(sk), msg, a), "noble rejects the native signature");
      return `signature ${toHex(a).slice(0, 16)}... identical`;
    }),
  );
  checks.push(
    await check("threshold BLS12-381: 2 of 3 shares combine and verify", () => {
      const keys = dealKeys(blsScheme, 3, 2, seededRandom("doctor"));
      const msg = Uint8Array.of(1, 2, 3);
      const shares = [keys.shares[0]!, keys.shares[2]!].map((s) =>
        blsScheme.signShare(s, "lattice/doctor/v1", msg),
      );
      assert(
        blsScheme.verify(keys.groupKey, "lattice/doctor/v1", msg, blsScheme.combine(shares, 2)),
        "combined signature fails",
      );
      return "combined signature verifies under the group key";
    }),
  );
  checks.push(
    await check("sqlite: WAL state store survives close and reopen, proofs verify", () => {
      const dir = mkdtempSync(join(tmpdir(), "lattice-doctor-"));
      try {
        const path = join(dir, "state.db");
        const a = addressBytesOf(devAccounts(1)[0]!.keyPair.publicKey);
        const s1 = StateStore.open({
          capacity: 16,
          roundStore: new SqliteRoundStore({ path }),
          genesis: [{ address: a, balance: 7n, nonce: 0n }],
        });
        s1.commitRound(1n, [{ address: a, balance: 9n, nonce: 1n }]);
        const root = toHex(s1.root);
        s1.close();
        const s2 = StateStore.open({ capacity: 16, roundStore: new SqliteRoundStore({ path }) });
        try {
          assert(
            s2.round === 1n && toHex(s2.root) === root,
            "reopened store is not at round 1 with the same root",
          );
          const proof = s2.prove(a);
          assert(
            verifyAccountProof(s2.root, a, s2.getAccount(a) ?? null, proof.proof),
            "inclusion proof fails",
          );
        } finally {
          s2.close();
        }
        return `round 1 recovered, root ${root.slice(0, 16)}..., proof verifies`;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
  );
  checks.push(await check("validator unit: worker cores", workersCheck));
  checks.push(
    await check("loopback: listen on 127.0.0.1 with a free port", () => {
      const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
      const port = server.port;
      server.stop(true);
      return `bound and released port ${port}`;
    }),
  );
  return checks;
}

export function registerDoctor(program: Command, outputFor: OutputFor): void {
  program
    .command("doctor")
    .description("check that this machine and build can run a node (crypto, SQLite, worker cores, sockets)")
    .action(async (_opts, cmd: Command) => {
      const out = outputFor(cmd);
      const checks = await runDoctor();
      const ok = checks.every((c) => c.ok);
      out.result({ ok, checks }, () =>
        checks.map((c) => `${c.ok ? "ok  " : "FAIL"} ${c.name} (${c.ms} ms)\n     ${c.detail}`).join("\n"),
      );
      if (!ok) process.exitCode = EXIT_FAILURE;
    });
}
