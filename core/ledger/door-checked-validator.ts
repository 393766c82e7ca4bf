/**
 * The ledger's default validator: the rules of core/validator/validate-transfers.ts (decode, chain id,
 * nonce order from max(account, pending), amount + fee within balance minus pending debits) WITHOUT the
 * signature check.
 *
 * Why that is sound here: the ledger only ever hands the validator transactions it holds in its mempool,
 * and a transaction gets there only through `Ledger.submit`, whose door verifies the Ed25519 signature of
 * exactly these bytes (or, after a crash, from the ledger's own database, which holds only transactions
 * that passed that door). Checking the same signature again cost a second ~70 us verify per transaction
 * on every node (measured: a fifth of a cluster node's verify time under load). A validator given bytes
 * from anywhere else must be the InlineValidator or the ValidatorPool, which verify.
 */
import { isLatticeError } from "../errors/lattice-error.ts";
import { decodeTransfer, parseTransfer, type Transfer, transferSender } from "../tx/transfer.ts";
import { groupBySender, type Verdict, type ViewOf } from "../validator/validate-transfers.ts";
import { type InlineValidatorOptions, type Validator, viewFrom } from "../validator/validator.ts";

function decode(bytes: Uint8Array): Transfer | null {
  const fast = parseTransfer(bytes, false);
  if (fast !== null) return fast;
  try {
    return decodeTransfer(bytes);
  } catch (err) {
    if (isLatticeError(err)) return null;
    throw err;
  }
}

/** One sender's group, in nonce order, signatures taken as verified. */
export function validateDoorCheckedGroup(
  group: readonly Uint8Array[],
  chainId: number,
  view: ViewOf,
): Verdict[] {
  const out: Verdict[] = new Array<Verdict>(group.length).fill("decode");
  const decoded: { index: number; tx: Transfer }[] = [];
  for (let index = 0; index < group.length; index++) {
    const tx = decode(group[index]!);
    if (tx === null) continue;
    if (tx.chainId !== chainId) {
      out[index] = "chain";
      continue;
    }
    decoded.push({ index, tx });
  }
  if (decoded.length === 0) return out;
  const first = decoded[0]!.tx;
  const { account, pending } = view(transferSender(first));
  decoded.sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : a.tx.nonce > b.tx.nonce ? 1 : a.index - b.index));
  const stateNonce = account?.nonce ?? 0n;
  let expected = pending !== null && pending.nonce > stateNonce ? pending.nonce : stateNonce;
  let available = (account?.balance ?? 0n) - (pending?.balance ?? 0n);
  if (available < 0n) available = 0n;
  for (const { index, tx } of decoded) {
    if (Buffer.compare(tx.from, first.from) !== 0) {
      out[index] = "signature"; // not this group's sender (the partitioner never does this)
      continue;
    }
    if (tx.nonce !== expected) {
      out[index] = "nonce";
      continue;
    }
    const cost = tx.amount + tx.fee;
    if (cost > available) {
      out[index] = "balance";
      continue;
    }
    out[index] = "ok";
    expected++;
    available -= cost;
  }
  return out;
}

/** Validator for transactions whose signatures the ledger's door already verified (see the header). */
export class DoorCheckedValidator implements Validator {
  readonly #chainId: number;
  readonly #view: ViewOf;
  readonly #close: () => void;

  constructor(options: InlineValidatorOptions) {
    this.#chainId = options.chainId;
    const state = options.state.reader();
    const pending = options.mempool.reader();
    this.#view = viewFrom(state, pending);
    this.#close = () => {
      state.close();
      pending.close();
    };
  }

  async validate(batch: readonly Uint8Array[]): Promise<Verdict[]> {
    const out = new Array<Verdict>(batch.length);
    for (const group of groupBySender(batch)) {
      const verdicts = validateDoorCheckedGroup(
        group.map((i) => batch[i]!),
        this.#chainId,
        this.#view,
      );
      for (const [k, i] of group.entries()) out[i] = verdicts[k]!;
    }
    return out;
  }

  async close(): Promise<void> {
    this.#close();
  }
}
