/**
 * The JSON shapes of the HTTP API (/v1), shared by the server (net/api) and the SDK (net/client); a leaf
 * module with types and pure converters only, so the SDK pulls in neither hono nor zod.
 *
 * Conventions (docs/API.md "Conventions"): u64 quantities (amount, fee, nonce, balance, round) are
 * decimal strings, because JSON numbers lose precision past 2^53; bytes are lower-case hex without 0x;
 * accounts are `lat1...` addresses; times are Unix milliseconds as numbers.
 */
import { formatAddress, parseAddress } from "../../core/crypto/address.ts";
import { bytesOfHex as fromHex, hexOf as toHex } from "./hex.ts";
import type { Transfer } from "../../core/tx/transfer.ts";

/** A signed transfer as JSON (the POST /v1/transactions body, and inside status answers). */
export interface TransferJson {
  readonly chainId: number;
  /** Sender's Ed25519 public key, 64 hex characters. */
  readonly from: string;
  /** Recipient address, `lat1...`. */
  readonly to: string;
  readonly amount: string;
  readonly fee: string;
  readonly nonce: string;
  /** 128 hex characters. */
  readonly signature: string;
}

export interface ErrorJson {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Every error answer: `{"error": {"code", "message", "details"?}}`. */
export interface ErrorBody {
  readonly error: ErrorJson;
}

export interface SubmitJson {
  /** Transaction id, 64 hex characters. */
  readonly id: string;
  readonly status: "pending";
}

export type TxStatusName = "pending" | "certified" | "final" | "rejected";

export interface TxStatusJson {
  readonly id: string;
  readonly status: TxStatusName;
  /** Round it was finalized or rejected in, when it was in a block. */
  readonly round: string | null;
  readonly error: ErrorJson | null;
  readonly acceptedAt: number;
  readonly updatedAt: number;
  readonly tx: TransferJson | null;
}

export interface ProofJson {
  /** State root the proof is against, hex. */
  readonly root: string;
  readonly round: string;
  /** Sibling hashes from the root's children downwards, hex. */
  readonly siblings: string[];
  /** The lone leaf the walk ended at (absence proofs may end at another key's leaf), or null. */
  readonly leaf: { readonly key: string; readonly value: string } | null;
}

export interface AccountJson {
  readonly address: string;
  readonly exists: boolean;
  readonly balance: string;
  readonly nonce: string;
  /** Nonce for the sender's next transaction, counting its pending ones. */
  readonly nextNonce: string;
  readonly round: string;
  readonly proof?: ProofJson;
}

/**
 * The finalization certificate of a round's block, as the node's consensus journal stores it: one
 * Ed25519 signature per signer on the block's finalize vote (core/bft/simplex-messages.ts VoteBody).
 */
export interface CertificateJson {
  readonly kind: "finalize";
  /** Consensus view the block was proposed and finalized in. */
  readonly view: number;
  /** Hash of the finalized block, hex (equal to the round's `hash`). */
  readonly block: string;
  /** The quorum that signed (its id, as in /v1/quorums). */
  readonly quorum: string;
  /** Signers' node ids, ascending by their index in the quorum. */
  readonly signers: string[];
  /** Their signatures, hex, in the order of `signers`. */
  readonly signatures: string[];
}

export interface RoundJson {
  readonly round: string;
  readonly root: string;
  readonly time: number;
  readonly txCount: number;
  readonly rejectedCount: number;
  readonly note: string | null;
  /** Hash of the consensus block of this round, hex; null on a solo node (no consensus blocks). */
  readonly hash: string | null;
  /** Its finalization certificate; null on a solo node, or when this node holds none for that view. */
  readonly certificate: CertificateJson | null;
}

export interface RoundTxJson {
  readonly id: string;
  readonly status: "final" | "rejected";
  readonly error: { readonly code: string } | null;
  readonly tx: TransferJson | null;
}

export interface RoundDetailJson extends RoundJson {
  readonly txs: RoundTxJson[];
}

export interface RoundPageJson {
  readonly rounds: RoundJson[];
  /** Pass as `before` for the next (older) page; null at the end. */
  readonly next: string | null;
}

export type NodeMode = "solo" | "consensus";

export interface NodeInfoJson {
  readonly version: string;
  readonly chainId: number;
  readonly mode: NodeMode;
  readonly nodeId: string;
  readonly round: string;
  readonly root: string;
  readonly mempool: { readonly size: number; readonly capacity: number };
  readonly producer: { readonly kind: "automine" | "interval" | "consensus"; readonly blockTimeMs: number };
  /** Where consensus is; null on a solo node. */
  readonly consensus: ConsensusJson | null;
}

export interface ConsensusJson {
  readonly kind: "simplex" | "wan";
  readonly running: boolean;
  /** The view this replica is in. */
  readonly view: number;
  /** Node id of that view's leader, when the protocol has one. */
  readonly leader: string | null;
  readonly finalizedHeight: number;
}

/** What this node observed of a peer (net/reputation): local observations, nothing gossiped. */
export interface ReputationJson {
  /** In (0, 1]: 1 for a peer never observed; lowered by failures, invalid input and latency. */
  readonly score: number;
  /** EWMA of measured round trips, ms; null before the first sample. */
  readonly latencyMs: number | null;
  readonly latencySamples: number;
  /** Frames accepted from the peer (verified, not replayed). */
  readonly accepted: number;
  /** Failures talking to it (unreachable, connect errors, timeouts). */
  readonly failures: number;
  /** Invalid input from it, by reason. */
  readonly invalid: Record<string, number>;
  readonly invalidTotal: number;
}

export interface PeerJson {
  readonly nodeId: string;
  readonly addresses: string[];
  readonly self: boolean;
  readonly connected: boolean;
  readonly latencyMs: number | null;
  /** Null for the node itself. */
  readonly reputation: ReputationJson | null;
}

export interface QuorumJson {
  readonly id: string;
  readonly kind: "solo" | "simplex" | "farmer" | "harvester" | "backup-harvester";
  readonly members: string[];
  readonly threshold: number;
  /** Threshold public key, hex, when the quorum's DKG has finished. */
  readonly publicKey: string | null;
}

export interface QuorumsJson {
  readonly epoch: string;
  readonly quorums: QuorumJson[];
}

export interface DomainJson {
  readonly id: string;
  readonly name: string;
  readonly kind: "global" | "wan" | "lan" | "quorum" | "solo";
  readonly members: string[];
  readonly joinPolicy: "open" | "psk";
}

/** Events on GET /v1/events (SSE `event:` = `type`, `id:` = `seq`, `data:` = this object). */
export type ApiEvent =
  | {
      readonly type: "round";
      readonly seq: number;
      readonly round: string;
      readonly root: string;
      readonly txCount: number;
      readonly rejectedCount: number;
      readonly note: string | null;
      readonly time: number;
    }
  | {
      readonly type: "tx.accepted";
      readonly seq: number;
      readonly id: string;
      readonly sender: string;
      readonly nonce: string;
      readonly time: number;
    }
  | { readonly type: "tx.certified"; readonly seq: number; readonly id: string; readonly time: number }
  | {
      readonly type: "tx.final";
      readonly seq: number;
      readonly id: string;
      readonly round: string;
      readonly time: number;
    }
  | {
      readonly type: "tx.rejected";
      readonly seq: number;
      readonly id: string;
      readonly round: string | null;
      readonly error: ErrorJson;
      readonly time: number;
    }
  | {
      readonly type: "fault";
      readonly seq: number;
      readonly code: string;
      readonly message: string;
      readonly time: number;
    }
  /** The stream dropped events for this subscriber (it was too slow); resume with Last-Event-ID. */
  | { readonly type: "overflow"; readonly seq: number; readonly time: number };

export type ApiEventType = ApiEvent["type"];
export const API_EVENT_TYPES: ApiEventType[] = [
  "round",
  "tx.accepted",
  "tx.certified",
  "tx.final",
  "tx.rejected",
  "fault",
  "overflow",
];

/** A transfer as JSON. */
export function transferToJson(tx: Transfer): TransferJson {
  return {
    chainId: tx.chainId,
    from: toHex(tx.from),
    to: formatAddress(tx.to),
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.nonce.toString(),
    signature: toHex(tx.signature),
  };
}

/** A transfer from JSON already checked for shape; throws TypeError / AddressError on bad values. */
export function transferFromJson(json: TransferJson): Transfer {
  return {
    chainId: json.chainId,
    from: fromHex(json.from, "from"),
    to: parseAddress(json.to),
    amount: BigInt(json.amount),
    fee: BigInt(json.fee),
    nonce: BigInt(json.nonce),
    signature: fromHex(json.signature, "signature"),
  };
}
