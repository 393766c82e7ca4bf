/**
 * The dealerless DKG as a sans-I/O engine (seed 001 "dealerless DKG and threshold signatures";
 * ARCHITECTURE.md "The one design rule", WAN step 0 "Quorum logs and keys").
 *
 * Protocol: Joint-Feldman (Pedersen's DKG) with a public complaint round, over an ordered log.
 * Every member deals a random polynomial f_i of degree t-1 with Feldman commitments
 * C_ik = a_ik·G; member j's share is Σ_{i∈QUAL} f_i(j), the group key Σ_{i∈QUAL} C_i0.
 * Threshold t = ceil(0.6·n): t shares sign, t-1 learn nothing.
 *
 * Why this and not hbbft's SyncKeyGen (core-anchors.md §4.1-4.2): SyncKeyGen deals a symmetric
 * bivariate polynomial, so each member checks n rows of t² commitment terms and exchanges n²
 * Acks; with Joint-Feldman each member checks n·t commitment terms, and all n received shares
 * at once with one random-linear-combination check: mulGen(Σ r_i·s_i) = Σ r_i·F_i(j)·G, where
 * each F_i(j)·G is a Horner evaluation with the small public x = j (a few doublings per term),
 * followed by one multi-scalar multiplication. Shares are checked one by one only if that fails
 * (the cost rule). Two messages per dealer in the good case (a Deal, nothing else).
 *
 * Key bias (core-anchors.md §4.2): Gennaro–Jarecki–Krawczyk–Rabin showed that a rushing
 * adversary can bias the *public key* of Joint-Feldman — it sees the other Deals before its own
 * lands, then decides whether its Deal gets disqualified (by withholding a justification), so it
 * picks between two or more candidate keys. GJKR fixes this with a Pedersen-VSS round first. We
 * accept the bias: our group key signs batches and convergence blocks, and the beacon is the
 * hash of a *unique* threshold BLS signature on a message fixed in advance. Choosing among a
 * few public keys it cannot compute discrete logs for does not let the adversary predict or
 * steer that signature (GJKR, CT-RSA 2003, argue the same for threshold schemes; drand/kyber
 * run Pedersen-style DKG for BLS beacons). If a use ever needs a uniformly random key, switch
 * the Deal to Pedersen commitments (GJKR) behind this same engine interface.
 *
 * Phases (each boundary is a log entry appended by the log itself, so every member switches at
 * the same position; the quorum's BFT log appends the next marker at an agreed height or
 * deadline, or as soon as no more entries are expected — e.g. all n Deals are in):
 *   dealing       Deals are accepted. Others: DKG_WRONG_PHASE.
 *   EndDealing    each member opens and batch-verifies its shares, then appends a Complaint
 *                 for each dealer whose share was missing, unreadable or inconsistent.
 *   complaining   Complaints are accepted; the accused dealer answers at once with a
 *                 Justification revealing f_i(complainer), which everyone checks against C_i.
 *   EndComplaints no more Complaints; Justifications still land.
 *   EndJustifications  QUAL = dealers with a valid Deal and no complaint left unjustified or
 *                 answered wrongly. |QUAL| >= t gives a key, else a typed failure (the old
 *                 quorum keeps signing). The engine emits `done`.
 *
 * Agreement (the regression from Versatus, core-anchors.md §1.9 item 1): QUAL, the group key and
 * every public key share are computed from public log entries only — which Deals arrived before
 * EndDealing, which Complaints before EndComplaints, which Justifications verified. A member's
 * private view (its decrypted shares) only decides which Complaints *it appends*, and those go
 * through the log like everything else. So members that process the same log compute the same
 * key; members fed different logs may not, and the `transcript` digest in the result (SHA-256
 * over accepted entries in order) makes that visible instead of silent. Nothing is decided from
 * local arrival order, timers or a local store.
 *
 * Restarts: the secret polynomial lives in memory only. A restarted member replays the log and
 * gets its share back (tested), but cannot answer *new* complaints against its own Deal unless
 * the runtime persisted the polynomial; it is then excluded as a dealer, which t tolerates.
 *
 * Robustness: the engine never throws on log input. A rejected entry (unknown sender, wrong
 * session, wrong phase, duplicate Deal, bad shape) yields a `fault` effect and leaves the state
 * and the transcript untouched.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { compareBytes, equalBytes, toHex, utf8 } from "../crypto/bytes.ts";
import type { Group } from "../threshold/group.ts";
import {
  commitPolynomial,
  evalCommitment,
  evalPolynomial,
  randomPolynomial,
} from "../threshold/polynomial.ts";
import { bytesToBigint } from "../threshold/prime-field.ts";
import { dkgMessageToBytes, MAX_ID_BYTES, MAX_MEMBERS, SESSION_BYTES } from "./codec.ts";
import type { DkgConfig, DkgEffect, DkgExcludedDealer, DkgExclusion, DkgResult } from "./contract.ts";
import { DkgError, type DkgFaultCode } from "./errors.ts";
import type { DkgComplaint, DkgDeal, DkgJustification, DkgMessage, DkgPhaseMarker } from "./messages.ts";
import { BOX_KEY_BYTES, BOX_OVERHEAD, boxPublicKey, type ShareBox, x25519ShareBox } from "./share-box.ts";

/** t = ceil(0.6·n) in integer arithmetic (0.6·n in floating point misrounds, e.g. n = 3). */
export function quorumThreshold(n: number): number {
  return Math.floor((3 * n + 4) / 5);
}

export type DkgPhase = "dealing" | "complaining" | "justifying" | "done";

type ComplaintState = "open" | "justified" | "bad";

const TRANSCRIPT_DOMAIN = utf8("lattice/dkg-transcript/v1");
/** Batch-verification weights: 128 bits make a forged batch pass with probability 2^-128. */
const WEIGHT_BYTES = 16;

function configError(message: string, details: Record<string, unknown> = {}): DkgError {
  return new DkgError("DKG_CONFIG", message, { details });
}

function safePublicKey(secret: Uint8Array): Uint8Array {
  try {
    return boxPublicKey(secret);
  } catch {
    return new Uint8Array(0);
  }
}

/** One member's DKG participant. Feed it the quorum's log in order; act on its effects. */
export class DkgEngine<E> {
  readonly n: number;
  readonly t: number;
  /** This member's 1-based index in the sorted member list. */
  readonly index: number;
  readonly id: Uint8Array;

  private readonly group: Group<E>;
  private readonly box: ShareBox;
  private readonly session: Uint8Array;
  private readonly ids: Uint8Array[];
  private readonly keys: Uint8Array[];
  private readonly indexById = new Map<string, number>();
  private readonly secret: Uint8Array;
  private readonly random: (n: number) => Uint8Array;

  private currentPhase: DkgPhase = "dealing";
  private started = false;
  private poly: bigint[] | undefined;
  private readonly deals = new Map<number, DkgDeal<E>>();
  /** dealer index → this member's verified share from that dealer. */
  private readonly received = new Map<number, bigint>();
  /** dealer index → complainer index → state. */
  private readonly complaints = new Map<number, Map<number, ComplaintState>>();
  private readonly disqualified = new Map<number, DkgExclusion>();
  private readonly transcript = sha256.create();
  private outcome: DkgResult<E> | undefined;

  constructor(config: DkgConfig<E>) {
    const { group, session, members, self, random } = config;
    this.box = config.box ?? x25519ShareBox;
    if (group.secure && !this.box.secure) throw configError("an insecure share box with a secure group");
    if (!(session instanceof Uint8Array) || session.length !== SESSION_BYTES) {
      throw configError(`session must be ${SESSION_BYTES} bytes`);
    }
    if (typeof random !== "function") throw configError("random must be a function");
    if (!Array.isArray(members) || members.length < 1 || members.length > MAX_MEMBERS) {
      throw configError(`need 1..${MAX_MEMBERS} members`, { n: members?.length });
    }
    members.forEach((m, i) => {
      if (!(m?.id instanceof Uint8Array) || m.id.length < 1 || m.id.length > MAX_ID_BYTES) {
        throw configError(`member id must be 1..${MAX_ID_BYTES} bytes`, { position: i });
      }
      if (!(m.encryptionKey instanceof Uint8Array) || m.encryptionKey.length !== BOX_KEY_BYTES) {
        throw configError(`member encryption key must be ${BOX_KEY_BYTES} bytes`, { id: toHex(m.id) });
      }
    });
    const sorted = [...members].sort((a, b) => compareBytes(a.id, b.id));
    sorted.forEach((m, i) => {
      const key = toHex(m.id);
      if (this.indexById.has(key)) throw configError("duplicate member id", { id: key });
      this.indexById.set(key, i + 1);
    });
    if (!(self?.id instanceof Uint8Array) || !(self.encryptionSecret instanceof Uint8Array)) {
      throw configError("self needs an id and an encryption secret");
    }
    const index = this.indexById.get(toHex(self.id));
    if (index === undefined) throw configError("self.id is not a member");
    const ownKey = sorted[index - 1]!.encryptionKey;
    if (this.box.secure && !equalBytes(safePublicKey(self.encryptionSecret), ownKey)) {
      throw configError("self.encryptionSecret does not match this member's encryption key");
    }
    this.group = group;
    this.session = session.slice();
    this.ids = sorted.map((m) => m.id.slice());
    this.keys = sorted.map((m) => m.encryptionKey.slice());
    this.n = sorted.length;
    this.t = quorumThreshold(this.n);
    this.index = index;
    this.id = self.id.slice();
    this.secret = self.encryptionSecret;
    this.random = random;
    this.transcript.update(TRANSCRIPT_DOMAIN).update(this.session).update(utf8(group.name));
  }

  get phase(): DkgPhase {
    return this.currentPhase;
  }

  /** The 32-byte session id every entry of this DKG carries. */
  get sessionId(): Uint8Array {
    return this.session.slice();
  }

  /** The member ids in canonical order (index i at position i - 1). */
  get memberIds(): readonly Uint8Array[] {
    return this.ids;
  }

  /** Draw this member's polynomial and return its Deal, to be appended to the log. Once only. */
  start(): DkgEffect<E>[] {
    if (this.started) throw new DkgError("DKG_STATE", "start() called twice");
    this.started = true;
    if (this.currentPhase !== "dealing") return [];
    const { field } = this.group;
    this.poly = randomPolynomial(field, this.t, this.random);
    const plaintexts = this.ids.map((_, j) =>
      field.toBytes(evalPolynomial(field, this.poly!, BigInt(j + 1))),
    );
    const { ephemeralKey, ciphertexts } = this.box.seal(
      this.session,
      this.index,
      this.keys,
      plaintexts,
      this.random,
    );
    const deal: DkgDeal<E> = {
      kind: "deal",
      session: this.session,
      from: this.id,
      commitments: commitPolynomial(this.group, this.poly),
      ephemeralKey,
      ciphertexts,
    };
    return [{ kind: "append", entry: deal }];
  }

  /** Process the next log entry (every member sees the same entries in the same order). */
  onLogEntry(entry: DkgMessage<E>): DkgEffect<E>[] {
    if (typeof entry !== "object" || entry === null)
      return [this.fault(undefined, "DKG_MALFORMED_ENTRY", "not an object")];
    const who = "from" in entry && entry.from instanceof Uint8Array ? entry.from : undefined;
    if (!(entry.session instanceof Uint8Array) || !equalBytes(entry.session, this.session)) {
      return [this.fault(who, "DKG_WRONG_SESSION", `${entry.kind} for another session`)];
    }
    switch (entry.kind) {
      case "deal":
        return this.onDeal(entry);
      case "complaint":
        return this.onComplaint(entry);
      case "justification":
        return this.onJustification(entry);
      case "end-dealing":
      case "end-complaints":
      case "end-justifications":
        return this.onMarker(entry);
      default:
        return [this.fault(who, "DKG_MALFORMED_ENTRY", "unknown entry kind")];
    }
  }

  /** The final result once EndJustifications has been processed. */
  result(): DkgResult<E> | undefined {
    return this.outcome;
  }

  private fault(who: unknown, code: DkgFaultCode, detail: string): DkgEffect<E> {
    return { kind: "fault", who: who instanceof Uint8Array ? who : undefined, code, detail };
  }

  private senderIndex(from: unknown): number | undefined {
    return from instanceof Uint8Array ? this.indexById.get(toHex(from)) : undefined;
  }

  /**
   * The canonical bytes of an entry, or undefined if it cannot be encoded (an element outside
   * the group, a non-canonical scalar): such an entry is malformed and must not touch the state.
   */
  private encode(entry: DkgMessage<E>): Uint8Array | undefined {
    try {
      return dkgMessageToBytes(this.group, entry);
    } catch {
      return undefined;
    }
  }

  /** Record an entry that passed every check; call before mutating state for it. */
  private accept(bytes: Uint8Array): void {
    this.transcript.update(
      Uint8Array.of(bytes.length >>> 24, bytes.length >>> 16, bytes.length >>> 8, bytes.length),
    );
    this.transcript.update(bytes);
  }

  private isIndex(v: unknown): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= this.n;
  }

  private onDeal(deal: DkgDeal<E>): DkgEffect<E>[] {
    const dealer = this.senderIndex(deal.from);
    if (dealer === undefined) return [this.fault(deal.from, "DKG_UNKNOWN_SENDER", "deal from a non-member")];
    if (this.currentPhase !== "dealing")
      return [this.fault(deal.from, "DKG_WRONG_PHASE", "deal after EndDealing")];
    const ctLen = this.group.field.bytes + BOX_OVERHEAD;
    if (
      !Array.isArray(deal.commitments) ||
      deal.commitments.length !== this.t ||
      !Array.isArray(deal.ciphertexts) ||
      deal.ciphertexts.length !== this.n ||
      !deal.ciphertexts.every((c) => c instanceof Uint8Array && c.length === ctLen) ||
      !(deal.ephemeralKey instanceof Uint8Array) ||
      deal.ephemeralKey.length !== BOX_KEY_BYTES
    ) {
      return [
        this.fault(
          deal.from,
          "DKG_MALFORMED_ENTRY",
          `deal needs ${this.t} commitments and ${this.n} ciphertexts`,
        ),
      ];
    }
    const bytes = this.encode(deal);
    if (bytes === undefined)
      return [this.fault(deal.from, "DKG_MALFORMED_ENTRY", "entry does not encode canonically")];
    if (this.deals.has(dealer)) return [this.fault(deal.from, "DKG_DUPLICATE_DEAL", "second deal ignored")];
    this.accept(bytes);
    this.deals.set(dealer, deal);
    return [];
  }

  private onComplaint(c: DkgComplaint): DkgEffect<E>[] {
    const complainer = this.senderIndex(c.from);
    if (complainer === undefined)
      return [this.fault(c.from, "DKG_UNKNOWN_SENDER", "complaint from a non-member")];
    if (this.currentPhase !== "complaining")
      return [this.fault(c.from, "DKG_WRONG_PHASE", "complaint outside the window")];
    if (!this.isIndex(c.dealer))
      return [this.fault(c.from, "DKG_MALFORMED_ENTRY", "dealer index out of range")];
    if (!this.deals.has(c.dealer) || c.dealer === complainer) {
      return [this.fault(c.from, "DKG_BAD_COMPLAINT", "complaint against no deal or against oneself")];
    }
    const forDealer = this.complaints.get(c.dealer) ?? new Map<number, ComplaintState>();
    if (forDealer.has(complainer)) return [this.fault(c.from, "DKG_BAD_COMPLAINT", "repeated complaint")];
    const bytes = this.encode(c);
    if (bytes === undefined)
      return [this.fault(c.from, "DKG_MALFORMED_ENTRY", "entry does not encode canonically")];
    this.accept(bytes);
    forDealer.set(complainer, "open");
    this.complaints.set(c.dealer, forDealer);
    if (c.dealer !== this.index || this.poly === undefined) return [];
    // Accused: reveal the disputed share. Costs nothing secret: the complainer is entitled to it.
    const share = evalPolynomial(this.group.field, this.poly, BigInt(complainer));
    const j: DkgJustification = {
      kind: "justification",
      session: this.session,
      from: this.id,
      complainer,
      share,
    };
    return [{ kind: "append", entry: j }];
  }

  private onJustification(j: DkgJustification): DkgEffect<E>[] {
    const dealer = this.senderIndex(j.from);
    if (dealer === undefined)
      return [this.fault(j.from, "DKG_UNKNOWN_SENDER", "justification from a non-member")];
    if (this.currentPhase !== "complaining" && this.currentPhase !== "justifying") {
      return [this.fault(j.from, "DKG_WRONG_PHASE", "justification outside the window")];
    }
    if (!this.isIndex(j.complainer) || typeof j.share !== "bigint" || !this.group.field.isValid(j.share)) {
      return [this.fault(j.from, "DKG_MALFORMED_ENTRY", "bad complainer index or share")];
    }
    const forDealer = this.complaints.get(dealer);
    if (forDealer?.get(j.complainer) !== "open") {
      return [this.fault(j.from, "DKG_UNEXPECTED_JUSTIFICATION", "no open complaint for this justification")];
    }
    const bytes = this.encode(j);
    if (bytes === undefined)
      return [this.fault(j.from, "DKG_MALFORMED_ENTRY", "entry does not encode canonically")];
    this.accept(bytes);
    const { commit } = this.group;
    const deal = this.deals.get(dealer)!;
    // The share is public now, so the variable-time multiplication is fine.
    const ok = commit.equals(
      commit.mulPublic(commit.generator, j.share),
      evalCommitment(this.group, deal.commitments, j.complainer),
    );
    if (ok) {
      forDealer.set(j.complainer, "justified");
      if (j.complainer === this.index) this.received.set(dealer, j.share);
      return [];
    }
    forDealer.set(j.complainer, "bad");
    if (this.disqualified.has(dealer)) return [];
    this.disqualified.set(dealer, "bad-justification");
    return [
      this.fault(j.from, "DKG_BAD_JUSTIFICATION", `revealed share for member ${j.complainer} is wrong`),
    ];
  }

  private onMarker(m: DkgPhaseMarker): DkgEffect<E>[] {
    const expected: Record<DkgPhaseMarker["kind"], DkgPhase> = {
      "end-dealing": "dealing",
      "end-complaints": "complaining",
      "end-justifications": "justifying",
    };
    if (this.currentPhase !== expected[m.kind]) {
      return [this.fault(undefined, "DKG_WRONG_PHASE", `${m.kind} in phase ${this.currentPhase}`)];
    }
    const bytes = this.encode(m);
    if (bytes === undefined)
      return [this.fault(undefined, "DKG_MALFORMED_ENTRY", "entry does not encode canonically")];
    this.accept(bytes);
    switch (m.kind) {
      case "end-dealing":
        this.currentPhase = "complaining";
        return this.checkReceivedShares();
      case "end-complaints":
        this.currentPhase = "justifying";
        return [];
      default:
        this.currentPhase = "done";
        return this.finish();
    }
  }

  /** Open and batch-verify this member's share from every Deal; complain about the bad ones. */
  private checkReceivedShares(): DkgEffect<E>[] {
    const { field, commit } = this.group;
    const candidates: { dealer: number; share: bigint; expected: E }[] = [];
    const bad: number[] = [];
    for (const dealer of [...this.deals.keys()].sort((a, b) => a - b)) {
      const deal = this.deals.get(dealer)!;
      const slot = { session: this.session, dealer, recipient: this.index };
      const opened = this.box.open(
        slot,
        this.secret,
        this.keys[this.index - 1]!,
        deal.ephemeralKey,
        deal.ciphertexts[this.index - 1]!,
      );
      let share: bigint | undefined;
      if (opened !== undefined && opened.length === field.bytes) {
        const v = bytesToBigint(opened);
        if (v < field.order) share = v;
      }
      if (share === undefined) bad.push(dealer);
      else
        candidates.push({
          dealer,
          share,
          expected: evalCommitment(this.group, deal.commitments, this.index),
        });
    }
    if (candidates.length > 0) {
      const weights = candidates.map(() => bytesToBigint(this.random(WEIGHT_BYTES)) | 1n);
      let combined = 0n;
      candidates.forEach((c, i) => {
        combined = field.add(combined, field.mul(weights[i]!, c.share));
      });
      const allGood = commit.equals(
        commit.mulGen(combined),
        commit.msm(
          candidates.map((c) => c.expected),
          weights,
        ),
      );
      for (const c of candidates) {
        // Only when the batch fails do we pay one multiplication per share to find the culprits.
        if (allGood || commit.equals(commit.mulGen(c.share), c.expected))
          this.received.set(c.dealer, c.share);
        else bad.push(c.dealer);
      }
    }
    return bad
      .sort((a, b) => a - b)
      .map((dealer) => ({
        kind: "append" as const,
        entry: { kind: "complaint" as const, session: this.session, from: this.id, dealer },
      }));
  }

  private finish(): DkgEffect<E>[] {
    const effects: DkgEffect<E>[] = [];
    for (const [dealer, forDealer] of [...this.complaints.entries()].sort((a, b) => a[0] - b[0])) {
      if (this.disqualified.has(dealer)) continue;
      if ([...forDealer.values()].some((s) => s === "open")) {
        this.disqualified.set(dealer, "no-justification");
        effects.push(this.fault(this.ids[dealer - 1]!, "DKG_NO_JUSTIFICATION", "complaint left unanswered"));
      }
    }
    const excluded: DkgExcludedDealer[] = [];
    const qual: number[] = [];
    for (let i = 1; i <= this.n; i++) {
      const reason = this.deals.has(i) ? this.disqualified.get(i) : "no-deal";
      if (reason === undefined) qual.push(i);
      else excluded.push({ index: i, id: this.ids[i - 1]!, reason });
    }
    const common = { n: this.n, t: this.t, qual, excluded, transcript: this.transcript.digest() };
    this.outcome = this.compute(common, effects);
    effects.push({ kind: "done", result: this.outcome });
    return effects;
  }

  private compute(
    common: Omit<DkgResult<E>, "ok" | "code" | "share" | "groupKey" | "publicShares">,
    effects: DkgEffect<E>[],
  ): DkgResult<E> {
    const { field, commit } = this.group;
    if (common.qual.length < this.t) return { ...common, ok: false, code: "DKG_TOO_FEW_DEALERS" };
    // Aggregate the commitments first, so each public key share is one Horner evaluation.
    const aggregate: E[] = [];
    for (let k = 0; k < this.t; k++) {
      let acc = commit.identity;
      for (const i of common.qual) acc = commit.add(acc, this.deals.get(i)!.commitments[k]!);
      aggregate.push(acc);
    }
    const groupKey = aggregate[0]!;
    if (commit.isIdentity(groupKey)) return { ...common, ok: false, code: "DKG_DEGENERATE_KEY" };
    const publicShares: E[] = [];
    for (let j = 1; j <= this.n; j++) publicShares.push(evalCommitment(this.group, aggregate, j));
    let secret: bigint | undefined = 0n;
    for (const i of common.qual) {
      const s = this.received.get(i);
      if (s === undefined) {
        secret = undefined;
        break;
      }
      secret = field.add(secret, s);
    }
    const valid =
      secret !== undefined &&
      secret !== 0n &&
      commit.equals(commit.mulGen(secret), publicShares[this.index - 1]!);
    if (!valid) effects.push(this.fault(this.id, "DKG_OWN_SHARE_INVALID", "this member has no valid share"));
    return {
      ...common,
      ok: true,
      groupKey,
      publicShares,
      share: valid ? { index: this.index, secret: secret! } : undefined,
    };
  }
}
