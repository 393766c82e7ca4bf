/**
 * Typed errors of the devnet orchestrator. Callers (the CLI, tests, scenarios) branch on `code`:
 *   DEVNET_RUNNING       the directory already has live nodes or a live `up` (the lock)
 *   DEVNET_NOT_FOUND     no devnet state in the directory
 *   DEVNET_BAD_STATE     devnet.json is unreadable or inconsistent
 *   DEVNET_GENESIS       the directory's chain does not match what was asked (never overwritten silently)
 *   DEVNET_NODE_EXITED   a node process exited while starting (its log tail is in `details.log`)
 *   DEVNET_TIMEOUT       a readiness condition was not met in time (which one is in `details.waiting`)
 *   DEVNET_ADMIN         an admin API call failed (status and the node's error in `details`)
 *   DEVNET_UNSUPPORTED   the node does not implement the admin hook (HTTP 501)
 *   DEVNET_STOP_FAILED   a process survived SIGTERM and SIGKILL
 */
import { LatticeError } from "../../core/errors/lattice-error.ts";

export type DevnetErrorCode =
  | "DEVNET_RUNNING"
  | "DEVNET_NOT_FOUND"
  | "DEVNET_BAD_STATE"
  | "DEVNET_GENESIS"
  | "DEVNET_NODE_EXITED"
  | "DEVNET_TIMEOUT"
  | "DEVNET_ADMIN"
  | "DEVNET_UNSUPPORTED"
  | "DEVNET_STOP_FAILED";

export class DevnetError extends LatticeError {
  declare readonly code: DevnetErrorCode;
  constructor(
    code: DevnetErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = "DevnetError";
  }
}
