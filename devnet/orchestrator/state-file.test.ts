import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isLatticeError } from "../../core/errors/lattice-error.ts";
import { acquireLock, isOurProcess, pidState } from "./processes.ts";
import { type DevnetState, readState, withNode, writeState } from "./state-file.ts";

const dir = mkdtempSync(join(tmpdir(), "lattice-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample: DevnetState = {
  version: 1,
  dir,
  chainId: 31337,
  seed: "s",
  startedAt: 1,
  supervisorPid: null,
  nodeCommand: ["bun", "cmd/lattice.ts"],
  nodes: [0, 1].map((index) => ({
    index,
    nodeId: "ab".repeat(32),
    pid: 1000 + index,
    status: "running" as const,
    apiUrl: "http://127.0.0.1:1",
    adminUrl: "http://127.0.0.1:2",
    p2p: "127.0.0.1:3",
    tokenFile: "/t",
    config: `/c${index}`,
    dataDir: `/d${index}`,
    processLog: `/l${index}`,
    startedAt: 5,
  })),
  chaos: [{ from: 0, to: 1, rule: { partition: true } }],
  skewMs: { "1": 200 },
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return isLatticeError(err) ? err.code : String(err);
  }
  return "no error";
}

describe("devnet.json", () => {
  test("written atomically and read back equal; a missing file reads as null", () => {
    const p = join(dir, "devnet.json");
    expect(readState(p)).toBeNull();
    writeState(p, sample);
    expect(readState(p)).toEqual(sample);
    const patched = withNode(sample, 1, { pid: null, status: "killed" });
    expect(patched.nodes[1]).toMatchObject({ pid: null, status: "killed" });
    expect(patched.nodes[0]).toEqual(sample.nodes[0]!);
  });

  test("a damaged state file is DEVNET_BAD_STATE, naming the problem", () => {
    const p = join(dir, "bad.json");
    for (const text of [
      "{",
      JSON.stringify({ ...sample, version: 2 }),
      JSON.stringify({ ...sample, nodes: [] }),
      JSON.stringify({ ...sample, nodes: [{ ...sample.nodes[0], status: "weird" }] }),
      JSON.stringify({ ...sample, nodes: [{ ...sample.nodes[0], pid: -4 }] }),
      JSON.stringify({ ...sample, nodes: [sample.nodes[1]] }),
    ]) {
      writeFileSync(p, text);
      expect(codeOf(() => readState(p))).toBe("DEVNET_BAD_STATE");
    }
  });
});

describe("directory lock and pid checks", () => {
  test("a held lock refuses a second holder until released", () => {
    const lock = join(dir, "devnet.lock");
    const release = acquireLock(lock, dir);
    expect(codeOf(() => acquireLock(lock, dir))).toBe("DEVNET_RUNNING");
    release();
    acquireLock(lock, dir)();
  });

  test("a stale lock (its holder is dead) is taken over", async () => {
    const lock = join(dir, "stale.lock");
    const p = Bun.spawn(["true"]);
    await p.exited;
    writeFileSync(lock, `${p.pid}\n`);
    expect(pidState(p.pid)).toBe("gone");
    acquireLock(lock, dir)();
  });

  test("a live pid counts as our node only when its command line names the node's config", async () => {
    const marker = join(dir, "node.json");
    // The child says "up" once it runs: before that, /proc may still show the pre-exec command line.
    const p = Bun.spawn([process.execPath, "-e", 'console.log("up"); setTimeout(() => {}, 20000)', marker], {
      stdout: "pipe",
    });
    try {
      const reader = p.stdout.getReader();
      let seen = "";
      while (!seen.includes("up")) {
        const chunk = await reader.read();
        if (chunk.done) break;
        seen += new TextDecoder().decode(chunk.value);
      }
      reader.releaseLock();
      expect(seen).toContain("up");
      expect(pidState(p.pid)).toBe("alive");
      expect(isOurProcess(p.pid, marker)).toBe(true);
      expect(isOurProcess(p.pid, join(dir, "other.json"))).toBe(false);
      expect(isOurProcess(process.pid, marker)).toBe(false);
    } finally {
      p.kill("SIGKILL");
      await p.exited;
    }
    expect(pidState(p.pid)).toBe("gone");
  });
});
