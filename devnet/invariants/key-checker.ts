/**
 * Quorum-key invariants (issue #5 "Quorum keys"; ARCHITECTURE.md "WAN consensus" step 0 "A quorum
 * certifies nothing before its key exists"), shared like checker.ts by the simulator, tests and later
 * devnet scenarios. Crypto-agnostic: the caller says whether a certificate verified.
 *
 * - key agreement: every honest member of a quorum epoch that finished its DKG ended with the same
 *   status, group key, transcript and ready height, and never changed it afterwards;
 * - certificates after key: every certificate was made by a member that already held the ready key
 *   (earlier in the event order), names the agreed key height, and verifies under the agreed key;
 * - key liveness: every expected honest member holds the ready key by the end of the run.
 */
import type { CheckResult } from "./checker.ts";

export interface KeyRecord {
  readonly seq: number;
  readonly at: number;
  readonly node: string;
  readonly chain: string;
  readonly epoch: number;
  readonly status: "none" | "keying" | "ready" | "failed";
  readonly height?: number;
  readonly groupKey?: string;
  readonly transcript?: string;
  readonly code?: string;
}

export interface CertificateRecord {
  readonly seq: number;
  readonly at: number;
  readonly node: string;
  readonly chain: string;
  readonly epoch: number;
  readonly keyHeight: number;
  readonly height: number;
  /** Whether the certificate's signature verified under the key the node held. */
  readonly valid: boolean;
}

type Final = Required<Pick<KeyRecord, "status" | "node">> & KeyRecord;

export class KeyChecker {
  /** Per node/chain/epoch: the first final (ready or failed) record. */
  private readonly finals = new Map<string, Final>();
  /** Per chain/epoch: the first final record of any member (the reference). */
  private readonly reference = new Map<string, Final>();
  private agreementFailure: string | undefined;
  private certFailure: string | undefined;
  private certificates = 0;
  private refusals = 0;

  recordKey(r: KeyRecord): void {
    if (r.status !== "ready" && r.status !== "failed") return;
    const nk = `${r.node}/${r.chain}/${r.epoch}`;
    const prior = this.finals.get(nk);
    if (prior !== undefined) {
      if (!sameKey(prior, r) && this.agreementFailure === undefined)
        this.agreementFailure = `${r.node} changed its ${r.chain.slice(0, 8)} key after it was final`;
      return;
    }
    this.finals.set(nk, r);
    const ck = `${r.chain}/${r.epoch}`;
    const ref = this.reference.get(ck);
    if (ref === undefined) this.reference.set(ck, r);
    else if (!sameKey(ref, r) && this.agreementFailure === undefined) {
      this.agreementFailure = `quorum ${r.chain.slice(0, 8)} epoch ${r.epoch}: ${ref.node} ${describe(ref)}, ${r.node} ${describe(r)}`;
    }
  }

  recordRefusal(): void {
    this.refusals++;
  }

  recordCertificate(c: CertificateRecord): void {
    this.certificates++;
    if (this.certFailure !== undefined) return;
    const mine = this.finals.get(`${c.node}/${c.chain}/${c.epoch}`);
    const ref = this.reference.get(`${c.chain}/${c.epoch}`);
    if (mine === undefined || mine.status !== "ready" || mine.seq > c.seq)
      this.certFailure = `${c.node} made a certificate on ${c.chain.slice(0, 8)} at height ${c.height} without a ready key`;
    else if (ref === undefined || ref.height !== c.keyHeight || c.height < c.keyHeight)
      this.certFailure = `${c.node} certificate names key height ${c.keyHeight}, agreed ${ref?.height}`;
    else if (!c.valid) this.certFailure = `${c.node} certificate at height ${c.height} does not verify`;
  }

  /** The agreed final key record of a quorum epoch, if any member finished. */
  agreed(chain: string, epoch = 0): KeyRecord | undefined {
    return this.reference.get(`${chain}/${epoch}`);
  }

  /** Whether `node` holds the ready key of `chain`. */
  readyAt(node: string, chain: string, epoch = 0): boolean {
    return this.finals.get(`${node}/${chain}/${epoch}`)?.status === "ready";
  }

  keyAgreement(): CheckResult {
    if (this.agreementFailure !== undefined)
      return { name: "key-agreement", status: "fail", detail: this.agreementFailure };
    return {
      name: "key-agreement",
      status: "pass",
      detail: `${this.finals.size} members of ${this.reference.size} quorum keys agree`,
    };
  }

  certificatesAfterKey(): CheckResult {
    if (this.certFailure !== undefined)
      return { name: "no-certificate-before-key", status: "fail", detail: this.certFailure };
    return {
      name: "no-certificate-before-key",
      status: "pass",
      detail: `${this.certificates} certificates, all after the key and valid; ${this.refusals} refused before it`,
    };
  }

  keyLiveness(expected: readonly { readonly node: string; readonly chain: string }[]): CheckResult {
    const missing = expected
      .filter((e) => !this.readyAt(e.node, e.chain))
      .map((e) => `${e.node}@${e.chain.slice(0, 8)}`);
    if (missing.length === 0)
      return {
        name: "key-liveness",
        status: "pass",
        detail: `${expected.length} members hold their quorum key`,
      };
    return {
      name: "key-liveness",
      status: "fail",
      detail: `no ready key: ${missing.slice(0, 6).join(", ")}`,
    };
  }
}

function sameKey(a: KeyRecord, b: KeyRecord): boolean {
  return (
    a.status === b.status &&
    a.height === b.height &&
    a.groupKey === b.groupKey &&
    a.transcript === b.transcript &&
    a.code === b.code
  );
}

function describe(r: KeyRecord): string {
  return r.status === "ready"
    ? `ready@${r.height} ${r.groupKey?.slice(0, 12)}`
    : `failed@${r.height} ${r.code ?? ""}`;
}
