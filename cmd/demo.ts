/**
 * `lattice demo`: what `npm start` runs until `lattice devnet up` exists. It walks through the
 * parts of a node that work today, on real keys and real cryptography, and checks each result,
 * so a new user sees in seconds what Lattice is made of. Exits 1 if any check fails.
 */
import type { Command } from "commander";
import { addressOf, parseAddress } from "../core/crypto/address.ts";
import { toHex } from "../core/crypto/bytes.ts";
import { nativeEd25519, nobleEd25519, signTagged, verifyTagged } from "../core/crypto/ed25519.ts";
import { sha256 } from "../core/crypto/sha256.ts";
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
  return steps;
}

export function registerDemo(program: Command, outputFor: OutputFor): void {
  program
    .command("demo")
    .description("a guided run of what works today, with every result checked (what npm start runs)")
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
