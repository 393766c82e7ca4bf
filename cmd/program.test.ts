import { describe, expect, test } from "bun:test";
import golden from "../fixtures/vectors/dev-accounts.json" with { type: "json" };
import { runCaptured } from "./cli-harness.ts";
import { VERSION } from "./version.ts";

describe("lattice CLI", () => {
  test("--version prints the package version and exits 0", async () => {
    const r = await runCaptured(["--version"]);
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  test("--help lists the commands and global flags on stdout", async () => {
    const r = await runCaptured(["--help"]);
    expect(r.code).toBe(0);
    for (const s of ["--json", "--quiet", "--verbose", "keys"]) expect(r.stdout).toContain(s);
  });

  test("every subcommand has --help", async () => {
    for (const argv of [
      ["keys"],
      ["keys", "new"],
      ["keys", "dev"],
      ["keys", "inspect"],
      ["keys", "address"],
    ]) {
      const r = await runCaptured([...argv, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: lattice ${argv.join(" ")}`);
    }
  });

  test("an unknown command or option is a usage error: exit 2, message on stderr, nothing on stdout", async () => {
    for (const argv of [["bogus"], ["keys", "dev", "--bogus"], ["keys", "inspect"]]) {
      const r = await runCaptured(argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("error:");
    }
  });

  test("a malformed argument value is a usage error (exit 2) in text and in JSON", async () => {
    const text = await runCaptured(["keys", "dev", "--count", "0"]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain("--count must be an integer");
    const json = await runCaptured(["--json", "keys", "inspect", "abc"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe("USAGE");
  });

  test("keys dev --json matches the golden dev accounts", async () => {
    const r = await runCaptured(["keys", "dev", "--json", "-n", String(golden.accounts.length)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(golden);
  });

  test("keys address: a valid address exits 0, a mistyped one exits 1 with the reason", async () => {
    const good = golden.accounts[0]!.address;
    expect((await runCaptured(["keys", "address", good])).code).toBe(0);
    const typo = `${good.slice(0, -1)}${good.endsWith("q") ? "p" : "q"}`;
    const bad = await runCaptured(["--json", "keys", "address", typo]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, code: "ADDRESS_CHECKSUM" });
    const fromKey = await runCaptured(["--json", "keys", "address", golden.accounts[0]!.publicKey]);
    expect(JSON.parse(fromKey.stdout).address).toBe(good);
  });

  test("keys inspect derives the same address as the dev list; keys new makes a working key", async () => {
    const a = golden.accounts[1]!;
    const r = await runCaptured(["--json", "keys", "inspect", a.secretKey]);
    expect(JSON.parse(r.stdout)).toEqual({ address: a.address, publicKey: a.publicKey });
    const n = await runCaptured(["--json", "keys", "new"]);
    const created = JSON.parse(n.stdout) as { address: string; secretKey: string };
    const again = await runCaptured(["--json", "keys", "inspect", created.secretKey]);
    expect(JSON.parse(again.stdout).address).toBe(created.address);
  });

  test("-q hides messages but not results", async () => {
    const loud = await runCaptured(["keys", "new"]);
    expect(loud.stderr).toContain("Keep the secret key safe");
    const quiet = await runCaptured(["-q", "keys", "new"]);
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).toContain("address");
  });
});
