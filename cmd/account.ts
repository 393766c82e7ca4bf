/**
 * `lattice account ADDR [--url URL] [--proof]`: an account's balance and nonce from a node, through the SDK.
 * With --proof the node's Merkle proof is verified locally against the state root it names; a proof that
 * does not verify is an error (exit 1, code PROOF_INVALID), never a printed balance.
 */
import type { Command } from "commander";
import { toHex } from "../core/crypto/bytes.ts";
import { isAddress } from "../core/crypto/address.ts";
import { LatticeClient } from "../net/client/client.ts";
import { UsageError } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";
import { defaultUrl } from "./tx.ts";

export function registerAccount(program: Command, outputFor: OutputFor): void {
  program
    .command("account")
    .description("show an account's balance and nonce (optionally with a verified Merkle proof)")
    .argument("<address>", "account address (lat1...)")
    .option("--url <url>", "node API URL (default $LATTICE_URL or the local node)")
    .option("--proof", "fetch a Merkle proof and verify it against the state root")
    .action(async (address: string, opts: { url?: string; proof?: boolean }, cmd: Command) => {
      const out = outputFor(cmd);
      if (!isAddress(address)) throw new UsageError(`not a valid address: ${address}`);
      const client = new LatticeClient({ url: opts.url ?? defaultUrl() });
      const a = await client.getAccount(address, { proof: opts.proof === true });
      const data = {
        address: a.address,
        exists: a.exists,
        balance: a.balance,
        nonce: a.nonce,
        nextNonce: a.nextNonce,
        round: a.round,
        ...(a.proof === undefined
          ? {}
          : { proof: { verified: true, root: toHex(a.proof.root), round: a.proof.round } }),
      };
      out.result(data, () =>
        [
          `address  ${a.address}${a.exists ? "" : " (no such account)"}`,
          `balance  ${a.balance}`,
          `nonce    ${a.nonce} (next ${a.nextNonce})`,
          `round    ${a.round}`,
          ...(a.proof === undefined
            ? []
            : [`proof    verified against root ${toHex(a.proof.root)} (round ${a.proof.round})`]),
        ].join("\n"),
      );
    });
}
