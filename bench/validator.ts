/**
 * Validator unit throughput (ARCHITECTURE performance budget: >= 11,300 transfers/s per core, <= 1.25 x
 * one native Ed25519 verify per transfer). Measures, interleaved over rounds with fixed iterations:
 * native verifies/s on one core (the ceiling), and transfers validated/s by a ValidatorPool of 1 and of 2
 * workers (batches of 2,000 transfers from 200 senders). Prints a table, then one JSON line:
 * {perCoreTps, costPerTxOverVerify, scaling2, ...}.
 */
import { addressBytesOf } from "../core/crypto/address.ts";
import { keyPairFromSeed, nativeEd25519, signingBytes } from "../core/crypto/ed25519.ts";
import { Mempool } from "../core/mempool/mempool.ts";
import { StateStore } from "../core/state/state-store.ts";
import {
  encodeTransfer,
  signTransfer,
  TRANSFER_SIGNATURE_TAG,
  transferSigningPayload,
} from "../core/tx/transfer.ts";
import { ValidatorPool } from "../core/validator/validator-pool.ts";

const SENDERS = 200;
const PER_SENDER = 10;
const VERIFIES = 4000;
const ROUNDS = 5;
const CHAIN = 1;

const keys = Array.from({ length: SENDERS }, (_, i) =>
  keyPairFromSeed(new Uint8Array(32).fill(0).map((_, j) => (i * 7 + j) & 255)),
);
const to = addressBytesOf(keys[0]!.publicKey);
const txs = keys.flatMap((k) =>
  Array.from({ length: PER_SENDER }, (_, n) =>
    signTransfer(
      { chainId: CHAIN, from: k.publicKey, to, amount: 1n, fee: 1n, nonce: BigInt(n) },
      k.secretKey,
    ),
  ),
);
const batch = txs.map(encodeTransfer);
const state = StateStore.open({
  capacity: SENDERS * 2,
  shared: true,
  genesis: keys.map((k) => ({ address: addressBytesOf(k.publicKey), balance: 1_000_000n, nonce: 0n })),
});
const mempool = new Mempool({ capacity: 1024, shared: true, nonceOf: () => 0n });
const workerUrl = new URL("../cmd/validator.worker.ts", import.meta.url);
const pools = [
  await ValidatorPool.start({ workerUrl, workers: 1, chainId: CHAIN, state, mempool }),
  await ValidatorPool.start({ workerUrl, workers: 2, chainId: CHAIN, state, mempool }),
];
const messages = txs.map((t) => signingBytes(TRANSFER_SIGNATURE_TAG, transferSigningPayload(t)));

function verifyRate(): number {
  const t0 = performance.now();
  for (let i = 0; i < VERIFIES; i++) {
    const t = txs[i % txs.length]!;
    if (!nativeEd25519.verify(t.from, messages[i % txs.length]!, t.signature))
      throw new Error("bad signature");
  }
  return VERIFIES / ((performance.now() - t0) / 1000);
}

async function poolRate(pool: ValidatorPool): Promise<number> {
  const t0 = performance.now();
  const verdicts = await pool.validate(batch);
  const seconds = (performance.now() - t0) / 1000;
  if (verdicts.some((v) => v !== "ok")) throw new Error("unexpected verdict");
  return batch.length / seconds;
}

await poolRate(pools[0]!); // warm up both pools and the JIT
await poolRate(pools[1]!);
verifyRate();
const results: Record<string, number[]> = {
  "native verify, 1 core": [],
  "pool, 1 worker": [],
  "pool, 2 workers": [],
};
const started = performance.now();
for (let r = 0; r < ROUNDS && performance.now() - started < 45_000; r++) {
  results["native verify, 1 core"]!.push(verifyRate());
  results["pool, 1 worker"]!.push(await poolRate(pools[0]!));
  results["pool, 2 workers"]!.push(await poolRate(pools[1]!));
}
for (const p of pools) await p.close();
const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
};
console.log(
  `validator: batches of ${batch.length} transfers from ${SENDERS} senders; ${VERIFIES} verifies per round`,
);
console.log("what                      min per s   median per s");
for (const [name, xs] of Object.entries(results)) {
  const { min, median } = stat(xs);
  console.log(`${name.padEnd(24)} ${min.toFixed(0).padStart(11)} ${median.toFixed(0).padStart(14)}`);
}
const verify = stat(results["native verify, 1 core"]!).median;
const one = stat(results["pool, 1 worker"]!).median;
const two = stat(results["pool, 2 workers"]!).median;
console.log(
  JSON.stringify({
    bench: "validator",
    verifiesPerSec: Math.round(verify),
    perCoreTps: Math.round(one),
    tps2: Math.round(two),
    costPerTxOverVerify: Number((verify / one).toFixed(3)),
    scaling2: Number((two / one).toFixed(3)),
    cores: navigator.hardwareConcurrency,
  }),
);
