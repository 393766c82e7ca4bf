/**
 * The Lattice client SDK: a typed wrapper of a node's /v1 HTTP API (docs/API.md).
 *
 *   const client = new LatticeClient({ url: "http://127.0.0.1:8545" });
 *   const t = await client.transfer({ secretKey, to: "lat1...", amount: 10n });
 *   const outcome = await client.waitForFinality(t.id, { timeoutMs: 10_000 });
 *   if (outcome.outcome === "final") ... else if (outcome.outcome === "rejected") outcome.error.code
 *   else ... // "indeterminate": not known within the time; it may still become final
 *
 * Outcomes follow Jepsen's ternary rule (reliability-anchors §1): final, rejected (with the node's
 * reason), or indeterminate; a timeout is never reported as a failure. `getAccount(..., {proof: true})`
 * verifies the Merkle proof on the client and throws ProofError if it does not verify. Errors are typed
 * (client-error.ts) and carry the API's codes.
 */
import { addressOf, formatAddress, parseAddress } from "../../core/crypto/address.ts";
import { equalBytes, fromHex, toHex } from "../../core/crypto/bytes.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { verifyAccountProof } from "../../core/state/account-proof.ts";
import { type Transfer, transferId } from "../../core/tx/transfer.ts";
import { isApiErrorCode } from "../api/error-codes.ts";
import type {
  AccountJson,
  ApiEvent,
  ApiEventType,
  ErrorJson,
  NodeInfoJson,
  RoundDetailJson,
  RoundPageJson,
  SubmitJson,
  TxStatusJson,
} from "../api/wire.ts";
import { ApiRequestError, BadResponseError, NodeUnreachableError, ProofError } from "./client-error.ts";
import { EventStream } from "./event-stream.ts";
import { buildTransfer, type SignedTransfer, signedOf } from "./transfer-builder.ts";

export interface ClientOptions {
  /** Base URL of the node API, e.g. http://127.0.0.1:8545 */
  readonly url: string;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** How a transaction ended, as far as the client could tell. */
export type FinalityOutcome =
  | { readonly outcome: "final"; readonly id: string; readonly round: bigint }
  | {
      readonly outcome: "rejected";
      readonly id: string;
      readonly round: bigint | null;
      readonly error: ErrorJson;
    }
  | {
      readonly outcome: "indeterminate";
      readonly id: string;
      readonly reason: "timeout";
      /** Last status seen: "unknown" if the node never reported the id. */
      readonly lastStatus: "pending" | "certified" | "unknown";
    };

/** An account as the SDK returns it (u64 as bigint). */
export interface AccountInfo {
  readonly address: string;
  readonly exists: boolean;
  readonly balance: bigint;
  readonly nonce: bigint;
  readonly nextNonce: bigint;
  readonly round: bigint;
  /** Present when asked for: the root the account was proven against, already verified. */
  readonly proof?: { readonly root: Uint8Array; readonly round: bigint; readonly verified: true };
}

export interface TransferRequest {
  readonly secretKey: Uint8Array;
  readonly to: string | Uint8Array;
  readonly amount: bigint;
  /** Default 1. */
  readonly fee?: bigint;
  /** Default: the sender's next nonce as the node reports it. */
  readonly nonce?: bigint;
}

export interface Subscription {
  readonly ready: Promise<boolean>;
  close(): void;
}

type Waiter = (e: ApiEvent) => void;

export class LatticeClient {
  readonly url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  #chainId: number | undefined;
  readonly #waiters = new Map<string, Set<Waiter>>();
  #watch: EventStream | null = null;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async #request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.url}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new NodeUnreachableError(
        `${init.method ?? "GET"} ${path}: ${err instanceof Error ? err.message : err}`,
        err,
      );
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      if (err instanceof Error && err.name === "TimeoutError")
        throw new NodeUnreachableError(`${path}: timed out`, err);
      throw new BadResponseError(`${path}: answer is not JSON (status ${res.status})`);
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
      if (e === undefined || typeof e.code !== "string" || typeof e.message !== "string") {
        throw new BadResponseError(`${path}: status ${res.status} without an error body`);
      }
      const code = isApiErrorCode(e.code) ? e.code : "INTERNAL";
      const details =
        typeof e.details === "object" && e.details !== null ? (e.details as Record<string, unknown>) : {};
      throw new ApiRequestError(code, res.status, e.message, details);
    }
    return body as T;
  }

  /** Node version, chain id, mode and head. */
  node(): Promise<NodeInfoJson> {
    return this.#request<NodeInfoJson>("/v1/node");
  }

  /** The node's chain id (asked once, then cached). */
  async chainId(): Promise<number> {
    this.#chainId ??= (await this.node()).chainId;
    return this.#chainId;
  }

  /**
   * Submit a signed transfer (JSON by default, or its canonical CBOR bytes). Resolves with the id once
   * the node has durably accepted it; throws ApiRequestError with the rejection code otherwise, or
   * NodeUnreachableError when the outcome is unknown (the id is `signedOf(tx).id`; ask `status`).
   */
  async submit(
    tx: SignedTransfer | Transfer | Uint8Array,
    options: { encoding?: "json" | "cbor" } = {},
  ): Promise<{ id: string }> {
    let body: string | Uint8Array;
    let contentType: string;
    if (tx instanceof Uint8Array) {
      body = tx;
      contentType = "application/cbor";
    } else {
      const s = "bytes" in tx && "json" in tx ? tx : signedOf(tx);
      if (options.encoding === "cbor") {
        body = s.bytes;
        contentType = "application/cbor";
      } else {
        body = JSON.stringify(s.json);
        contentType = "application/json";
      }
    }
    const r = await this.#request<SubmitJson>("/v1/transactions", {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    return { id: r.id };
  }

  /** Build, sign and submit a transfer; fills chain id, nonce (next) and fee (1) when not given. */
  async transfer(
    req: TransferRequest,
    options: { encoding?: "json" | "cbor" } = {},
  ): Promise<SignedTransfer> {
    const chainId = await this.chainId();
    let nonce = req.nonce;
    if (nonce === undefined) {
      nonce = await this.nextNonce(addressOf(keyPairFromSeed(req.secretKey).publicKey));
    }
    const signed = buildTransfer({
      chainId,
      secretKey: req.secretKey,
      to: req.to,
      amount: req.amount,
      fee: req.fee ?? 1n,
      nonce,
    });
    await this.submit(signed, options);
    return signed;
  }

  /** A transaction's status, or null when the node does not know the id. */
  async status(id: string): Promise<TxStatusJson | null> {
    try {
      return await this.#request<TxStatusJson>(`/v1/transactions/${id}`);
    } catch (err) {
      if (err instanceof ApiRequestError && err.code === "TX_NOT_FOUND") return null;
      throw err;
    }
  }

  #watcher(): EventStream {
    this.#watch ??= new EventStream({
      url: this.url,
      fetch: this.#fetch,
      types: ["tx.final", "tx.rejected"],
      onEvent: (e) => {
        if (e.type !== "tx.final" && e.type !== "tx.rejected") return;
        for (const w of this.#waiters.get(e.id) ?? []) w(e);
      },
    });
    return this.#watch;
  }

  /**
   * Wait until `id` is final or rejected, or `timeoutMs` passes (then "indeterminate"). Listens on the
   * event stream (one connection shared by all waits of this client) and checks the status once it is
   * subscribed; polls every `pollMs` while the stream is down, and every 5 x `pollMs` as a safety net.
   */
  waitForFinality(
    id: string,
    options: { timeoutMs?: number; pollMs?: number } = {},
  ): Promise<FinalityOutcome> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const pollMs = options.pollMs ?? 1000;
    const watcher = this.#watcher();
    return new Promise<FinalityOutcome>((resolve) => {
      let done = false;
      let last: "pending" | "certified" | "unknown" = "unknown";
      let ticks = 0;
      const waiters = this.#waiters.get(id) ?? new Set<Waiter>();
      this.#waiters.set(id, waiters);
      const finish = (o: FinalityOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poller);
        waiters.delete(waiter);
        if (waiters.size === 0) this.#waiters.delete(id);
        if (this.#waiters.size === 0) {
          this.#watch?.close();
          this.#watch = null;
        }
        resolve(o);
      };
      const waiter: Waiter = (e) => {
        if (e.type === "tx.final") finish({ outcome: "final", id, round: BigInt(e.round) });
        else if (e.type === "tx.rejected")
          finish({
            outcome: "rejected",
            id,
            round: e.round === null ? null : BigInt(e.round),
            error: e.error,
          });
      };
      waiters.add(waiter);
      const check = async () => {
        let s: TxStatusJson | null;
        try {
          s = await this.status(id);
        } catch {
          return; // unreachable or bad answer: the next poll or an event decides
        }
        if (s === null) return;
        if (s.status === "final") finish({ outcome: "final", id, round: BigInt(s.round ?? "0") });
        else if (s.status === "rejected") {
          finish({
            outcome: "rejected",
            id,
            round: s.round === null ? null : BigInt(s.round),
            error: s.error ?? { code: "INTERNAL", message: "rejected without a reason" },
          });
        } else last = s.status;
      };
      const timer = setTimeout(
        () => finish({ outcome: "indeterminate", id, reason: "timeout", lastStatus: last }),
        timeoutMs,
      );
      const poller = setInterval(() => {
        ticks++;
        if (!watcher.healthy || ticks % 5 === 0) void check();
      }, pollMs);
      // Checked after subscribing, so a transition is either in the status or in a later event.
      void watcher.ready.then(() => check());
    });
  }

  /**
   * An account. With `proof: true` the node's Merkle proof is verified here, against `trustedRoot` when
   * given (e.g. from a certified block) or else the root the node names; a proof that does not verify
   * throws ProofError. An account that does not exist comes back with `exists: false`.
   */
  async getAccount(
    address: string,
    options: { proof?: boolean; trustedRoot?: Uint8Array } = {},
  ): Promise<AccountInfo> {
    const bytes = parseAddress(address);
    const canonical = formatAddress(bytes);
    let a: AccountJson;
    try {
      a = await this.#request<AccountJson>(
        `/v1/accounts/${canonical}${options.proof === true ? "?proof=true" : ""}`,
      );
    } catch (err) {
      if (err instanceof ApiRequestError && err.code === "ACCOUNT_NOT_FOUND") {
        return { address: canonical, exists: false, balance: 0n, nonce: 0n, nextNonce: 0n, round: 0n };
      }
      throw err;
    }
    const info = {
      address: a.address,
      exists: a.exists,
      balance: BigInt(a.balance),
      nonce: BigInt(a.nonce),
      nextNonce: BigInt(a.nextNonce),
      round: BigInt(a.round),
    };
    if (options.proof !== true) return info;
    const p = a.proof;
    if (p === undefined) throw new ProofError("the node sent no proof");
    let root: Uint8Array;
    let siblings: Uint8Array[];
    let leaf: { key: Uint8Array; value: Uint8Array } | null;
    try {
      root = fromHex(p.root, "proof.root");
      siblings = p.siblings.map((s, i) => fromHex(s, `proof.siblings[${i}]`));
      leaf =
        p.leaf === null
          ? null
          : { key: fromHex(p.leaf.key, "proof.leaf.key"), value: fromHex(p.leaf.value, "proof.leaf.value") };
    } catch (err) {
      throw new ProofError(`malformed proof: ${err instanceof Error ? err.message : err}`);
    }
    if (options.trustedRoot !== undefined && !equalBytes(options.trustedRoot, root)) {
      throw new ProofError("the proof is against another root than the trusted one", { root: p.root });
    }
    const account = a.exists ? { balance: info.balance, nonce: info.nonce } : null;
    if (p.round !== a.round || !verifyAccountProof(root, bytes, account, { siblings, leaf })) {
      throw new ProofError(`the proof for ${canonical} does not verify against root ${p.root}`, {
        root: p.root,
        round: p.round,
      });
    }
    return { ...info, proof: { root, round: BigInt(p.round), verified: true } };
  }

  /** The nonce the sender's next transaction should carry (counting its pending ones). */
  async nextNonce(address: string): Promise<bigint> {
    return (await this.getAccount(address)).nextNonce;
  }

  rounds(options: { limit?: number; before?: bigint } = {}): Promise<RoundPageJson> {
    const q = new URLSearchParams();
    if (options.limit !== undefined) q.set("limit", String(options.limit));
    if (options.before !== undefined) q.set("before", options.before.toString());
    const s = q.toString();
    return this.#request<RoundPageJson>(`/v1/rounds${s === "" ? "" : `?${s}`}`);
  }

  round(n: bigint | "latest"): Promise<RoundDetailJson> {
    return this.#request<RoundDetailJson>(`/v1/rounds/${n.toString()}`);
  }

  /** Subscribe to live events (all types, or `types`); reconnects and resumes until closed. */
  subscribe(
    onEvent: (e: ApiEvent) => void,
    options: { types?: readonly ApiEventType[]; onError?: (err: unknown) => void } = {},
  ): Subscription {
    const stream = new EventStream({
      url: this.url,
      fetch: this.#fetch,
      types: options.types ?? null,
      onEvent,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    return { ready: stream.ready, close: () => stream.close() };
  }

  /** Close the shared event stream of pending waits (they then rely on polling). */
  close(): void {
    this.#watch?.close();
    this.#watch = null;
  }
}

/** The id of transfer bytes, hex: what the node will call it. */
export function idOf(bytes: Uint8Array): string {
  return toHex(transferId(bytes));
}
