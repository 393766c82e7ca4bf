/**
 * Worker entry of the validator unit's cores. It lives beside cmd/lattice.ts because `bun build
 * --compile` only resolves worker entries placed next to the main entry; the real code is in
 * core/validator/validator-worker.ts. The composition root passes
 * `new URL("./validator.worker.ts", import.meta.url)` to `ValidatorPool.start`.
 */
import { runValidatorWorker } from "../core/validator/validator-worker.ts";

runValidatorWorker();
