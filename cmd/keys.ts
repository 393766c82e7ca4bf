/**
 * `lattice keys ...`: create and inspect Ed25519 keys and addresses.
 */
import type { Command } from "commander";
import { addressOf, parseAddress } from "../core/crypto/address.ts";
import { fromHex, toHex } from "../core/crypto/bytes.ts";
import { keyPairFromSeed } from "../core/crypto/ed25519.ts";
import { DEV_MNEMONIC, devAccounts } from "../fixtures/dev-keys.ts";
import { EXIT_FAILURE, UsageError } from "./exit-codes.ts";
import type { Output } from "./output.ts";

export type OutputFor = (cmd: Command) => Output;

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`--count must be an integer in 1..1000, got ${value}`);
  return n;
}

function parseHexKey(value: string, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(value, what);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (bytes.length !== 32)
    throw new UsageError(`${what} must be 32 bytes (64 hex characters), got ${bytes.length}`);
  return bytes;
}

export function registerKeys(program: Command, outputFor: OutputFor): void {
  const keys = program.command("keys").description("create and inspect keys and addresses");

  keys
    .command("new")
    .description("generate a new Ed25519 key pair and its address")
    .action((_opts, cmd: Command) => {
      const out = outputFor(cmd);
      const kp = keyPairFromSeed(crypto.getRandomValues(new Uint8Array(32)));
      const data = {
        address: addressOf(kp.publicKey),
        publicKey: toHex(kp.publicKey),
        secretKey: toHex(kp.secretKey),
      };
      out.result(data, () =>
        [
          `address     ${data.address}`,
          `public key  ${data.publicKey}`,
          `secret key  ${data.secretKey}`,
        ].join("\n"),
      );
      out.info("Keep the secret key safe: anyone who has it controls the account.");
    });

  keys
    .command("dev")
    .description("list the well-known dev accounts (the keys every devnet prefunds)")
    .option("-n, --count <n>", "how many accounts", "10")
    .option("--mnemonic <phrase>", "derive from another BIP-39 mnemonic", DEV_MNEMONIC)
    .action((opts: { count: string; mnemonic: string }, cmd: Command) => {
      const out = outputFor(cmd);
      const accounts = devAccounts(parseCount(opts.count), opts.mnemonic).map(
        ({ keyPair: _kp, ...rest }) => rest,
      );
      out.result({ mnemonic: opts.mnemonic, accounts }, () => {
        const lines = ["Dev accounts (public knowledge: never use them for anything of value)", ""];
        for (const a of accounts) {
          lines.push(`(${a.index}) ${a.address}`, `    secret key ${a.secretKey}`);
        }
        lines.push("", `mnemonic: ${opts.mnemonic}`, "path:     m/44'/7337'/0'/0'/<index>'");
        return lines.join("\n");
      });
    });

  keys
    .command("inspect")
    .description("show the public key and address of a secret key")
    .argument("<secret-key-hex>", "32-byte Ed25519 secret key (seed), hex")
    .action((secretHex: string, _opts, cmd: Command) => {
      const out = outputFor(cmd);
      const kp = keyPairFromSeed(parseHexKey(secretHex, "secret key"));
      const data = { address: addressOf(kp.publicKey), publicKey: toHex(kp.publicKey) };
      out.result(data, () => `address     ${data.address}\npublic key  ${data.publicKey}`);
    });

  keys
    .command("address")
    .description("check an address (exit 1 and say why when it is invalid), or derive one from a public key")
    .argument("<address-or-public-key>", "a lat1... address, or a 32-byte public key in hex")
    .action((input: string, _opts, cmd: Command) => {
      const out = outputFor(cmd);
      if (/^(0x)?[0-9a-fA-F]{64}$/.test(input)) {
        const address = addressOf(parseHexKey(input, "public key"));
        out.result(
          { valid: true, address, publicKey: input.replace(/^0x/, "").toLowerCase() },
          () => address,
        );
        return;
      }
      try {
        const bytes = parseAddress(input);
        out.result(
          { valid: true, address: input.trim().toLowerCase(), bytes: toHex(bytes) },
          () => `valid: ${input}`,
        );
      } catch (e) {
        const err = e as { code?: string; message?: string };
        out.result({ valid: false, code: err.code, error: err.message }, () => `invalid: ${err.message}`);
        process.exitCode = EXIT_FAILURE;
      }
    });
}
