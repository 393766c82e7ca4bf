import { afterAll, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogTail } from "./log-tail.ts";

const dir = mkdtempSync(join(tmpdir(), "lattice-logtail-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("follows a log file: pino lines parsed, partial lines held back, a recreated file read from its start", () => {
  const path = join(dir, "node.log");
  const tail = new LogTail();
  expect(tail.read(path, "n0", 1)).toEqual([]);
  writeFileSync(path, `${JSON.stringify({ level: 30, time: 5, msg: "round", round: "7", node: "abc" })}\nplain text\n{"level":40,`);
  expect(tail.read(path, "n0", 1)).toEqual([
    { node: "n0", time: 5, level: "info", msg: "round round=7" },
    { node: "n0", time: 1, level: "", msg: "plain text" },
  ]);
  appendFileSync(path, `"time":6,"msg":"slow"}\n`);
  expect(tail.read(path, "n0", 2)).toEqual([{ node: "n0", time: 6, level: "warn", msg: "slow" }]);
  writeFileSync(path, "again\n");
  expect(tail.read(path, "n0", 3).map((l) => l.msg)).toEqual(["again"]);
});

test("a long existing log is read from near its end, without a cut first line", () => {
  const path = join(dir, "big.log");
  writeFileSync(path, `${Array.from({ length: 2000 }, (_, i) => `line number ${i}`).join("\n")}\n`);
  const lines = new LogTail().read(path, "n1", 0);
  expect(lines.at(-1)?.msg).toBe("line number 1999");
  expect(lines.length).toBeLessThan(2000);
  expect(lines[0]?.msg).toMatch(/^line number \d+$/);
});
