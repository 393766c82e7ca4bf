import { describe, expect, test } from "bun:test";
import { KeyChecker, type KeyRecord } from "./key-checker.ts";

const ready = (seq: number, node: string, groupKey = "aa", height = 3): KeyRecord => ({
  seq,
  at: seq,
  node,
  chain: "c0",
  epoch: 0,
  status: "ready",
  height,
  groupKey,
  transcript: "tt",
});
const cert = (seq: number, node: string, valid = true) => ({
  seq,
  at: seq,
  node,
  chain: "c0",
  epoch: 0,
  keyHeight: 3,
  height: 5,
  valid,
});

describe("KeyChecker", () => {
  test("pass: members agree and certify only after their key", () => {
    const k = new KeyChecker();
    k.recordKey({ seq: 1, at: 1, node: "n0", chain: "c0", epoch: 0, status: "keying" });
    k.recordRefusal();
    k.recordKey(ready(5, "n0"));
    k.recordKey(ready(6, "n1"));
    k.recordKey(ready(9, "n1"));
    k.recordCertificate(cert(7, "n0"));
    expect(k.keyAgreement().status).toBe("pass");
    expect(k.certificatesAfterKey().status).toBe("pass");
    expect(k.certificatesAfterKey().detail).toContain("1 refused");
    expect(
      k.keyLiveness([
        { node: "n0", chain: "c0" },
        { node: "n1", chain: "c0" },
      ]).status,
    ).toBe("pass");
  });

  test("fail: two members with different keys, or one that changes its key", () => {
    const k = new KeyChecker();
    k.recordKey(ready(5, "n0"));
    k.recordKey(ready(6, "n1", "bb"));
    expect(k.keyAgreement().status).toBe("fail");
    expect(k.keyAgreement().detail).toContain("n1");
    const k2 = new KeyChecker();
    k2.recordKey(ready(5, "n0"));
    k2.recordKey(ready(8, "n0", "aa", 4));
    expect(k2.keyAgreement().status).toBe("fail");
  });

  test("fail: a certificate before the key, or one that does not verify; liveness names the laggard", () => {
    const k = new KeyChecker();
    k.recordCertificate(cert(2, "n0"));
    k.recordKey(ready(5, "n0"));
    expect(k.certificatesAfterKey().status).toBe("fail");
    expect(k.certificatesAfterKey().detail).toContain("without a ready key");
    const k2 = new KeyChecker();
    k2.recordKey(ready(5, "n0"));
    k2.recordCertificate(cert(7, "n0", false));
    expect(k2.certificatesAfterKey().status).toBe("fail");
    expect(k2.keyLiveness([{ node: "n3", chain: "c0" }]).detail).toContain("n3@c0");
  });
});
