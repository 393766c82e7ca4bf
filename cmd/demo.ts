/**
 * `lattice demo`: a short, self-checking tour. It walks through the
 * parts of a node that work today, on real keys and real cryptography, and checks each result,
 * so a new user sees in seconds what Lattice is made of. Exits 1 if any check fails.
 */
import type { Command } from "commander";
import { addressOf, parseAddress } from "../core/crypto/address.ts";
import { toHex } from "../core/crypto/bytes.ts";
import { nativeEd25519, nobleEd25519, signTagged, verifyTagged } from "../core/crypto/ed25519.ts";
import { sha256 } from "../core/crypto/sha256.ts";
import { dkgFixture } from "../core/dkg/fixture.ts";
import type { DkgSuccess } from "../core/dkg/contract.ts";
import { type OrderedLogRun, runOrderedLog } from "../core/dkg/ordered-log.ts";
import { type BlsPublicKey, type BlsSignature, blsGroup, blsScheme } from "../core/threshold/bls.ts";
import type { SignatureShare } from "../core/threshold/scheme.ts";
import { DEV_MNEMONIC, devAccounts } from "../fixtures/dev-keys.ts";
import { EXIT_FAILURE } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";

export interface DemoStep {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

function step(name: string, fn: () => { ok: boolean; detail: string }): DemoStep {
  const t0 = performance.now();
  const r = fn();
  return { name, ok: r.ok, detail: r.detail, ms: Math.round((performance.now() - t0) * 10) / 10 };
}

/** The demo's steps; each returns whether its check held. */
export function demoSteps(): DemoStep[] {
  const accounts = devAccounts(4);
  const steps: DemoStep[] = [];
  steps.push(
    step("dev accounts from the well-known mnemonic", () => ({
      ok: accounts.every((a) => addressOf(a.keyPair.publicKey) === a.address),
      detail: `${accounts.length} accounts, first ${accounts[0]!.address}`,
    })),
  );
  steps.push(
    step("checksummed addresses reject a typo", () => {
      const a = accounts[0]!.address;
      const typo = `${a.slice(0, -1)}${a.endsWith("q") ? "p" : "q"}`;
      let rejected = false;
      try {
        parseAddress(typo);
      } catch {
        rejected = true;
      }
      return { ok: rejected, detail: `${typo} rejected` };
    }),
  );
  steps.push(
    step("Ed25519 native signature checked by the noble reference", () => {
      const kp = accounts[1]!.keyPair;
      const payload = sha256(new TextEncoder().encode("demo transfer"));
      const sig = signTagged(kp.secretKey, "demo/v1", payload);
      const nativeOk = verifyTagged(kp.publicKey, "demo/v1", payload, sig);
      const wrongTag = verifyTagged(kp.publicKey, "tx/v1", payload, sig);
      const msg = new TextEncoder().encode("hello");
      const cross = nobleEd25519.verify(kp.publicKey, msg, nativeEd25519.sign(kp.secretKey, msg));
      return {
        ok: nativeOk && !wrongTag && cross,
        detail: `sig ${toHex(sig).slice(0, 16)}..., wrong purpose tag rejected`,
      };
    }),
  );
  steps.push(...thresholdSteps());
  return steps;
}

const QUORUM = 7;
const VERDICT_TAG = "lattice/demo-batch-verdict/v1";

/**
 * A quorum of 7 runs the dealerless DKG over one ordered log with real BLS12-381 while member 4
 * deals commitments that do not match its shares; then any 5 of 7 (t = ceil(0.6 n)) sign a batch
 * digest, and a forged share is pointed out.
 */
function thresholdSteps(): DemoStep[] {
  const steps: DemoStep[] = [];
  const fx = dkgFixture(blsGroup, QUORUM, "lattice-demo");
  let run: OrderedLogRun<BlsPublicKey> | undefined;
  let key: DkgSuccess<BlsPublicKey> | undefined;
  steps.push(
    step(`dealerless DKG: ${QUORUM} members, BLS12-381, member 4 deals bad commitments`, () => {
      run = runOrderedLog(fx.engines, {
        tamper: (author, entry) =>
          author === 4 && entry.kind === "deal"
            ? [{ ...entry, commitments: [...entry.commitments].reverse() }]
            : [entry],
      });
      const first = run.results[0];
      const agreed =
        first?.ok === true &&
        run.results.every(
          (r) =>
            r?.ok === true &&
            blsGroup.commit.equals(r.groupKey, first.groupKey) &&
            r.qual.join() === first.qual.join(),
        );
      if (agreed && first?.ok === true && !first.qual.includes(4)) key = first;
      const qual = first?.ok === true ? first.qual.join(",") : "-";
      return {
        ok: key !== undefined,
        detail: `${run.log.length} log entries; QUAL = {${qual}}; all ${QUORUM} members derived the same group key`,
      };
    }),
  );
  steps.push(
    step("any 5 of 7 shares sign a batch verdict, to the same signature; 4 cannot", () => {
      if (run === undefined || key === undefined) return { ok: false, detail: "no key" };
      const t = key.t;
      const msg = sha256(new TextEncoder().encode("batch 1 digest | verdict bitmap"));
      const shares: SignatureShare<BlsSignature>[] = [];
      for (const r of run.results)
        if (r?.ok === true && r.share !== undefined)
          shares.push(blsScheme.signShare(r.share, VERDICT_TAG, msg));
      const pick = (idx: number[]) => shares.filter((s) => idx.includes(s.index));
      const a = blsScheme.combine(pick([1, 2, 3, 5, 6]), t);
      const b = blsScheme.combine(pick([7, 6, 4, 3, 2]), t);
      const same = toHex(blsScheme.signatureToBytes(a)) === toHex(blsScheme.signatureToBytes(b));
      const verifies = blsScheme.verify(key.groupKey, VERDICT_TAG, msg, a);
      const wrongTag = blsScheme.verify(key.groupKey, "lattice/other/v1", msg, a);
      let tooFew = false;
      try {
        blsScheme.combine(pick([1, 2, 3, 4]), t);
      } catch {
        tooFew = true;
      }
      // Member 2 submits member 1's share under its own index: the combined signature fails,
      // and only then are shares checked one by one (the cost rule), which names member 2.
      const forged = pick([1, 3, 5, 6]).concat([{ index: 2, sig: pick([1])[0]!.sig }]);
      const bad = blsScheme.verify(key.groupKey, VERDICT_TAG, msg, blsScheme.combine(forged, t))
        ? []
        : blsScheme.findBadShares(key, VERDICT_TAG, msg, forged);
      return {
        ok: same && verifies && !wrongTag && tooFew && bad.join() === "2",
        detail: `t = ${t}; signature ${toHex(blsScheme.signatureToBytes(a)).slice(0, 16)}... verifies under the group key; wrong purpose tag rejected; forged share from member ${bad.join(",")} identified`,
      };
    }),
  );
  return steps;
}

export function registerDemo(program: Command, outputFor: OutputFor): void {
  program
    .command("demo")
    .description(
      "a guided, self-checking tour of the cryptography: dev keys, addresses, Ed25519, a live BLS DKG and threshold signing",
    )
    .action((_opts, cmd: Command) => {
      const out = outputFor(cmd);
      out.info(`Lattice demo — dev mnemonic "${DEV_MNEMONIC}"`);
      const steps = demoSteps();
      const ok = steps.every((s) => s.ok);
      out.result({ ok, steps }, () =>
        steps.map((s) => `${s.ok ? "ok  " : "FAIL"} ${s.name} (${s.ms} ms)\n     ${s.detail}`).join("\n"),
      );
      if (!ok) process.exitCode = EXIT_FAILURE;
    });
}
