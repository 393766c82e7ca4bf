/**
 * `lattice tx ...`: build, sign and submit transactions through the SDK (net/client), and look them up.
 *
 *   lattice tx transfer --key K --to ADDR --amount N [--fee F] [--nonce N] [--url URL] [--cbor] [--wait]
 *   lattice tx status ID [--url URL]
 * K is a 32-byte secret key in hex, or `dev:I` for dev account I. With --wait the command exits 0 when
 * the transfer is final, 1 when it is rejected (the reason is printed), 124 when its fate is still
 * unknown at --timeout (indeterminate: it may yet become final).
 */
import type { Command } from "commander";
import { fromHex } from "../core/crypto/bytes.ts";
import { LatticeClient } from "../net/client/client.ts";
import { devAccounts } from "../fixtures/dev-keys.ts";
import { EXIT_FAILURE, EXIT_INDETERMINATE, UsageError } from "./exit-codes.ts";
import type { OutputFor } from "./keys.ts";
import { DEFAULT_API_PORT } from "./node.ts";

/** Exit code of `--wait` when the outcome is unknown at the deadline (GNU timeout's convention). */

export function defaultUrl(): string {
  return process.env.LATTICE_URL ?? `http://127.0.0.1:${DEFAULT_API_PORT}`;
}

function u64(value: string | undefined, what: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) >= 1n << 64n) {
    throw new UsageError(`${what} must be a decimal integer in 0..2^64-1, got ${value}`);
  }
  return BigInt(value);
}

/** A secret key from hex or `dev:I`. */
export function parseKey(value: string): Uint8Array {
  const dev = /^dev:([0-9]{1,3})$/.exec(value);
  if (dev !== null) {
    const i = Number(dev[1]);
    if (i > 999) throw new UsageError("--key dev:I needs I in 0..999");
    return fromHex(devAccounts(i + 1)[i]!.secretKey);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromHex(value, "--key");
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (bytes.length !== 32)
    throw new UsageError("--key must be a 32-byte secret key (64 hex characters) or dev:I");
  return bytes;
}

export function registerTx(program: Command, outputFor: OutputFor): void {
  const tx = program.command("tx").description("submit and inspect transactions");

  tx.command("transfer")
    .description("sign a transfer and submit it to a node")
    .requiredOption("--key <key>", "sender's secret key (hex), or dev:I for dev account I")
    .requiredOption("--to <address>", "recipient address (lat1...)")
    .requiredOption("--amount <n>", "amount (integer)")
    .option("--fee <n>", "fee (integer)", "1")
    .option("--nonce <n>", "nonce (default: the sender's next nonce, asked from the node)")
    .option("--url <url>", "node API URL (default $LATTICE_URL or the local node)")
    .option("--cbor", "send the canonical CBOR bytes instead of JSON")
    .option("--wait", "wait until final or rejected")
    .option("--timeout <ms>", "how long --wait waits (default 30000)", "30000")
    .action(
      async (
        opts: {
          key: string;
          to: string;
          amount: string;
          fee: string;
          nonce?: string;
          url?: string;
          cbor?: boolean;
          wait?: boolean;
          timeout: string;
        },
        cmd: Command,
      ) => {
        const out = outputFor(cmd);
        const secretKey = parseKey(opts.key);
        const amount = u64(opts.amount, "--amount")!;
        const fee = u64(opts.fee, "--fee")!;
        const nonce = u64(opts.nonce, "--nonce");
        const timeoutMs = Number(opts.timeout);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000)
          throw new UsageError("--timeout must be 1..3600000 ms");
        const client = new LatticeClient({ url: opts.url ?? defaultUrl() });
        const signed = await client.transfer(
          { secretKey, to: opts.to, amount, fee, ...(nonce === undefined ? {} : { nonce }) },
          { encoding: opts.cbor === true ? "cbor" : "json" },
        );
        const submitted = { id: signed.id, tx: signed.json, status: "pending" as const };
        if (opts.wait !== true) {
          out.result(submitted, () => `submitted ${signed.id} (nonce ${signed.tx.nonce})`);
          return;
        }
        out.info(`submitted ${signed.id}; waiting for finality...`);
        const o = await client.waitForFinality(signed.id, { timeoutMs });
        client.close();
        const data = { ...submitted, ...o, status: o.outcome };
        out.result(data, () =>
          o.outcome === "final"
            ? `final ${signed.id} in round ${o.round}`
            : o.outcome === "rejected"
              ? `rejected ${signed.id}: [${o.error.code}] ${o.error.message}`
              : `indeterminate ${signed.id}: still ${o.lastStatus} after ${timeoutMs} ms (it may yet become final)`,
        );
        if (o.outcome === "rejected") process.exitCode = EXIT_FAILURE;
        if (o.outcome === "indeterminate") process.exitCode = EXIT_INDETERMINATE;
      },
    );

  tx.command("status")
    .description("show a transaction's status")
    .argument("<id>", "transaction id (64 hex characters)")
    .option("--url <url>", "node API URL (default $LATTICE_URL or the local node)")
    .action(async (id: string, opts: { url?: string }, cmd: Command) => {
      const out = outputFor(cmd);
      if (!/^[0-9a-f]{64}$/.test(id)) throw new UsageError("id must be 64 lower-case hex characters");
      const client = new LatticeClient({ url: opts.url ?? defaultUrl() });
      const s = await client.status(id);
      if (s === null) {
        out.result({ id, status: "unknown" }, () => `unknown ${id}`);
        process.exitCode = EXIT_FAILURE;
        return;
      }
      out.result(s, () =>
        [
          `id      ${s.id}`,
          `status  ${s.status}${s.round === null ? "" : ` (round ${s.round})`}`,
          ...(s.error === null ? [] : [`reason  [${s.error.code}] ${s.error.message}`]),
          ...(s.tx === null
            ? []
            : [
                `from    ${s.tx.from}`,
                `to      ${s.tx.to}`,
                `amount  ${s.tx.amount} (fee ${s.tx.fee}, nonce ${s.tx.nonce})`,
              ]),
        ].join("\n"),
      );
    });
}
