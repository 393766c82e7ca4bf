/**
 * Entry point of the Lattice client SDK (the only file that re-exports; STYLE.md "no barrels inside the
 * tree"). Everything a client in TypeScript needs: keys and addresses, building and signing transfers, the
 * typed client, its errors, and the API's JSON types.
 */

export type { ApiErrorCode } from "../api/error-codes.ts";
export type {
  AccountJson,
  ApiEvent,
  ApiEventType,
  NodeInfoJson,
  RoundDetailJson,
  RoundPageJson,
  TransferJson,
  TxStatusJson,
} from "../api/wire.ts";
export {
  type AccountInfo,
  type ClientOptions,
  type FinalityOutcome,
  idOf,
  LatticeClient,
  type Subscription,
  type TransferRequest,
} from "./client.ts";
export {
  ApiRequestError,
  BadResponseError,
  ClientError,
  NodeUnreachableError,
  ProofError,
} from "./client-error.ts";
export {
  type Address,
  addressBytesOf,
  addressOf,
  formatAddress,
  fromHex,
  isAddress,
  type KeyPair,
  keyPairFromSeed,
  newKeyPair,
  parseAddress,
  toHex,
} from "./keys.ts";
export { buildTransfer, type SignedTransfer, signedOf, type TransferParams } from "./transfer-builder.ts";
