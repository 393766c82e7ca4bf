/**
 * zod schemas of the /v1 API: every request part is validated by them before a handler runs, and the
 * OpenAPI document (/v1/openapi.json) is generated from them. Objects are strict: an unknown field is a
 * 400 VALIDATION error, so a misspelt field never silently means "absent".
 */
import { z } from "@hono/zod-openapi";
import { API_EVENT_TYPES } from "./wire.ts";

const MAX_U64 = (1n << 64n) - 1n;

export const U64String = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,19})$/, "a decimal integer without sign or leading zeros")
  .refine((s) => BigInt(s) <= MAX_U64, "at most 2^64-1")
  .openapi({ example: "1000", description: "u64 as a decimal string" });

const hex = (bytes: number, what: string) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as ${bytes * 2} lower-case hex characters`)
    .openapi({ description: what });

export const TxIdHex = hex(32, "transaction id: SHA-256 of the canonical transfer bytes");
export const AddressString = z
  .string()
  .min(1)
  .max(90)
  .openapi({ example: "lat1jp3yj9f745tpxwfgl7ry2m95th7k2qc45jmeyg", description: "bech32m address" });

export const TransferBody = z
  .strictObject({
    chainId: z.number().int().min(0).max(0xffff_ffff),
    from: hex(32, "sender's Ed25519 public key"),
    to: AddressString,
    amount: U64String,
    fee: U64String,
    nonce: U64String,
    signature: hex(64, "Ed25519 signature over the signing bytes (docs/API.md)"),
  })
  .openapi("Transfer");

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi("Error");

export const SubmitResult = z.object({ id: TxIdHex, status: z.literal("pending") }).openapi("Submitted");

const ErrorJsonSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const TxStatusSchema = z
  .object({
    id: TxIdHex,
    status: z.enum(["pending", "certified", "final", "rejected"]),
    round: U64String.nullable(),
    error: ErrorJsonSchema.nullable(),
    acceptedAt: z.number(),
    updatedAt: z.number(),
    tx: TransferBody.nullable(),
  })
  .openapi("TransactionStatus");

export const ProofSchema = z
  .object({
    root: hex(32, "state root"),
    round: U64String,
    siblings: z.array(hex(32, "sibling hash")),
    leaf: z.object({ key: hex(32, "leaf key"), value: z.string() }).nullable(),
  })
  .openapi("AccountProof");

export const AccountSchema = z
  .object({
    address: AddressString,
    exists: z.boolean(),
    balance: U64String,
    nonce: U64String,
    nextNonce: U64String,
    round: U64String,
    proof: ProofSchema.optional(),
  })
  .openapi("Account");

export const CertificateSchema = z
  .strictObject({
    kind: z.literal("finalize"),
    view: z.number().int().min(0),
    block: hex(32, "hash of the finalized block"),
    quorum: z.string(),
    signers: z.array(hex(32, "signer's node id")),
    signatures: z.array(hex(64, "signer's Ed25519 signature on the finalize vote")),
  })
  .openapi("FinalizationCertificate");

export const RoundSchema = z
  .object({
    round: U64String,
    root: hex(32, "state root after the round"),
    time: z.number(),
    txCount: z.number().int(),
    rejectedCount: z.number().int(),
    note: z.string().nullable(),
    hash: hex(32, "consensus block hash (null on a solo node)").nullable(),
    certificate: CertificateSchema.nullable(),
  })
  .openapi("Round");

export const RoundDetailSchema = RoundSchema.extend({
  txs: z.array(
    z.object({
      id: TxIdHex,
      status: z.enum(["final", "rejected"]),
      error: z.object({ code: z.string() }).nullable(),
      tx: TransferBody.nullable(),
    }),
  ),
}).openapi("RoundDetail");

export const RoundPageSchema = z
  .object({ rounds: z.array(RoundSchema), next: U64String.nullable() })
  .openapi("RoundPage");

export const NodeInfoSchema = z
  .object({
    version: z.string(),
    chainId: z.number().int(),
    mode: z.enum(["solo", "consensus"]),
    nodeId: z.string(),
    round: U64String,
    root: hex(32, "latest state root"),
    mempool: z.object({ size: z.number().int(), capacity: z.number().int() }),
    producer: z.object({
      kind: z.enum(["automine", "interval", "consensus"]),
      blockTimeMs: z.number().int(),
    }),
    consensus: z
      .strictObject({
        kind: z.enum(["simplex", "wan"]),
        running: z.boolean(),
        view: z.number().int(),
        leader: z.string().nullable(),
        finalizedHeight: z.number().int(),
      })
      .nullable(),
  })
  .openapi("NodeInfo");

export const ReputationSchema = z
  .strictObject({
    score: z.number(),
    latencyMs: z.number().nullable(),
    latencySamples: z.number().int(),
    accepted: z.number().int(),
    failures: z.number().int(),
    invalid: z.record(z.string(), z.number().int()),
    invalidTotal: z.number().int(),
  })
  .openapi("Reputation");

export const PeersSchema = z
  .object({
    peers: z.array(
      z.object({
        nodeId: z.string(),
        addresses: z.array(z.string()),
        self: z.boolean(),
        connected: z.boolean(),
        latencyMs: z.number().nullable(),
        reputation: ReputationSchema.nullable(),
      }),
    ),
  })
  .openapi("Peers");

export const QuorumsSchema = z
  .object({
    epoch: U64String,
    quorums: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(["solo", "simplex", "farmer", "harvester", "backup-harvester"]),
        members: z.array(z.string()),
        threshold: z.number().int(),
        publicKey: z.string().nullable(),
      }),
    ),
  })
  .openapi("Quorums");

export const DomainsSchema = z
  .object({
    domains: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.enum(["global", "wan", "lan", "quorum", "solo"]),
        members: z.array(z.string()),
        joinPolicy: z.enum(["open", "psk"]),
      }),
    ),
  })
  .openapi("Domains");

export const TxIdParams = z.strictObject({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
export const AddressParams = z.strictObject({
  address: z.string().openapi({ param: { name: "address", in: "path" } }),
});
export const RoundParams = z.strictObject({
  n: z.string().openapi({ param: { name: "n", in: "path" }, description: "a round number, or `latest`" }),
});
export const AccountQuery = z.strictObject({ proof: z.enum(["true", "false"]).optional() });
export const RoundsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/)
    .optional()
    .openapi({ description: "1..100, default 20" }),
  before: U64String.optional(),
});
export const EventsQuery = z.strictObject({
  types: z
    .string()
    .max(200)
    .refine(
      (s) => s.split(",").every((t) => (API_EVENT_TYPES as readonly string[]).includes(t)),
      `a comma-separated subset of ${API_EVENT_TYPES.join(",")}`,
    )
    .optional(),
});
