import { describe, expect, test } from "bun:test";
import { MemoryJournal } from "../bft/simplex-journal.ts";
import { toHex } from "../crypto/bytes.ts";
import { createModelSigner } from "../crypto/model-signer.ts";
import { sha256 } from "../crypto/sha256.ts";
import { boxKeyPair, modelShareBox } from "../dkg/share-box.ts";
import type { ClockHandle, Effect, EngineEvent } from "../engine/engine.ts";
import { Prng } from "../engine/prng.ts";
import { VirtualClock } from "../engine/virtual-clock.ts";
import { modelScheme } from "../threshold/model.ts";
import { seededRandom } from "../threshold/seeded-random.ts";
import { isLatticeError } from "../errors/lattice-error.ts";
import {
  CERTIFICATE_EVENT,
  KEY_EVENT,
  type QuorumCertificate,
  QuorumEngine,
  type QuorumOptions,
} from "./quorum-engine.ts";
import { KeyRotation } from "./rotation.ts";

/**
 * A minimal deterministic runtime for QuorumEngines (core tests cannot use devnet/sim): virtual clock,
 * seeded latency 5..15 ms, crash/restart with the journal kept, emits and replies recorded.
 */
function quorum(n: number, label: string, opts: { silent?: number[]; epoch?: number } = {}) {
  const clock = new VirtualClock();
  const rng = new Prng(7);
  const signer = createModelSigner();
  const chain = sha256(new TextEncoder().encode(`quorum-test/${label}`));
  const sks = Array.from({ length: n }, (_, i) => sha256(new TextEncoder().encode(`${label}/k/${i}`)));
  const ids = sks.map((sk) => toHex(signer.publicKey(sk)));
  const boxes = sks.map((_, i) => boxKeyPair(seededRandom(`${label}/box/${i}`)));
  const journals = sks.map(() => new MemoryJournal());
  const options = (i: number): QuorumOptions => ({
    chain,
    members: ids,
    secretKey: sks[i]!,
    signer,
    journal: journals[i]!,
    scheme: modelScheme as QuorumOptions["scheme"],
    box: modelShareBox,
    encryptionKeys: boxes.map((b) => b.publicKey),
    encryptionSecret: boxes[i]!.secretKey,
    epoch: opts.epoch ?? 0,
    delta: 50,
    blockTime: 100,
    ...(opts.silent?.includes(i) ? { dealer: false } : {}),
  });
  const engines = sks.map((_, i) => new QuorumEngine(options(i)));
  const up = sks.map(() => true);
  const incarnation = sks.map(() => 0);
  const timers = sks.map(() => new Map<string, ClockHandle>());
  const emits: { node: number; name: string; data: unknown }[] = [];
  const replies: { node: number; body: unknown }[] = [];
  const deliver = (i: number, ev: EngineEvent) => {
    if (!up[i]) return;
    const effects = engines[i]!.handle(ev, {
      now: () => clock.now(),
      random: rng.fork(`${i}`),
      self: ids[i]!,
      node: `${i}`,
    });
    for (const e of effects) apply(i, e);
  };
  const apply = (i: number, e: Effect) => {
    if (e.kind === "send" && e.to.kind === "engine") {
      const j = ids.indexOf(e.to.engine);
      const inc = incarnation[j]!;
      clock.schedule(rng.int(5, 15), () => {
        if (incarnation[j] === inc)
          deliver(j, {
            kind: "message",
            from: ids[i]!,
            fromNode: `${i}`,
            to: e.to,
            protocol: e.protocol,
            payload: e.payload,
          });
      });
    } else if (e.kind === "set-timer") {
      const old = timers[i]!.get(e.timer);
      if (old !== undefined) clock.cancel(old);
      const inc = incarnation[i]!;
      timers[i]!.set(
        e.timer,
        clock.schedule(e.after, () => {
          if (incarnation[i] === inc) deliver(i, { kind: "timer", timer: e.timer });
        }),
      );
    } else if (e.kind === "cancel-timer") {
      const old = timers[i]!.get(e.timer);
      if (old !== undefined) clock.cancel(old);
    } else if (e.kind === "emit") emits.push({ node: i, name: e.name, data: e.data });
    else if (e.kind === "reply") replies.push({ node: i, body: e.body });
  };
  return {
    engines,
    emits,
    replies,
    clock,
    start: () => {
      for (let i = 0; i < n; i++) deliver(i, { kind: "start" });
    },
    run: (t: number) => clock.advanceTo(t),
    request: (i: number, body: unknown) =>
      deliver(i, { kind: "request", requestId: `q${replies.length}`, body }),
    crash: (i: number) => {
      up[i] = false;
      incarnation[i]!++;
      for (const h of timers[i]!.values()) clock.cancel(h);
      timers[i]!.clear();
    },
    restart: (i: number) => {
      engines[i] = new QuorumEngine(options(i));
      up[i] = true;
      deliver(i, { kind: "start" });
    },
  };
}

const TAG = "lattice/test-cert/v1";

describe("QuorumEngine", () => {
  test("keys live over its Simplex log; refuses to certify before the key, certifies after", () => {
    const q = quorum(4, "live");
    q.start();
    // Before any block is final: typed refusals on both paths.
    expect(q.engines[0]!.keyState().status).toBe("keying");
    let thrown: unknown;
    try {
      q.engines[0]!.signShare(TAG, Uint8Array.of(1));
    } catch (e) {
      thrown = e;
    }
    expect(isLatticeError(thrown, "QUORUM_KEY_NOT_READY")).toBe(true);
    q.request(1, { op: "certify", tag: TAG, msg: Uint8Array.of(1) });
    expect(q.replies[0]!.body).toEqual({ ok: false, code: "QUORUM_KEY_NOT_READY" });
    expect(q.emits.filter((e) => e.name === CERTIFICATE_EVENT).length).toBe(0);

    q.run(5000);
    const states = q.engines.map((e) => e.keyState());
    for (const s of states) expect(s.status).toBe("ready");
    const ready = states.map((s) => (s.status === "ready" ? s : undefined));
    expect(new Set(ready.map((s) => s?.groupKey)).size).toBe(1);
    expect(new Set(ready.map((s) => s?.height)).size).toBe(1);
    expect(ready[0]!.height).toBeLessThanOrEqual(4);
    // Every member certifies the same message: each ends with the same valid certificate.
    const msg = new TextEncoder().encode("checkpoint 42");
    for (let i = 0; i < 4; i++) q.request(i, { op: "certify", tag: TAG, msg });
    q.run(5200);
    const certs = q.emits.filter((e) => e.name === CERTIFICATE_EVENT).map((e) => e.data as QuorumCertificate);
    expect(certs.length).toBe(4);
    expect(new Set(certs.map((c) => c.signature)).size).toBe(1);
    const key = ready[0]!.key;
    const sig = modelScheme.signatureFromBytes(Buffer.from(certs[0]!.signature, "hex"));
    expect(modelScheme.verify(key.groupKey as bigint, TAG, msg, sig)).toBe(true);
    expect(modelScheme.verify(key.groupKey as bigint, TAG, Uint8Array.of(9), sig)).toBe(false);
    expect(certs.every((c) => c.keyHeight === ready[0]!.height)).toBe(true);
  });

  test("a member crashed through the DKG rebuilds the same key from its journal and catches up", () => {
    const q = quorum(4, "crash");
    q.start();
    q.crash(3);
    q.run(3000);
    expect(q.engines[0]!.keyState().status).toBe("ready");
    expect(q.engines[3]!.keyState().status).toBe("keying");
    q.restart(3);
    q.run(8000);
    const s0 = q.engines[0]!.keyState();
    const s3 = q.engines[3]!.keyState();
    expect(s3.status).toBe("ready");
    expect(s0.status === "ready" && s3.status === "ready" && s3.groupKey === s0.groupKey).toBe(true);
    // The crashed member's Deal was gossiped before the crash, so it is in QUAL and can sign.
    expect(s3.status === "ready" && s3.canSign).toBe(true);
    // A restart after the key exists replays the log to the same key at once.
    q.crash(2);
    q.restart(2);
    const s2 = q.engines[2]!.keyState();
    expect(s2.status === "ready" && s2.groupKey === (s0.status === "ready" ? s0.groupKey : "")).toBe(true);
  });

  test("re-keying: a new epoch takes over only once its key is ready; a failed DKG keeps the old key", () => {
    const rotation = new KeyRotation();
    const old = quorum(4, "epoch0");
    old.start();
    old.run(5000);
    rotation.observe(old.engines[0]!.keyState());
    const epoch0 = rotation.inForce();
    expect(epoch0?.epoch).toBe(0);

    // Epoch 1: a new member set whose DKG fails (two of four never deal: 2 < t = 3).
    const failing = quorum(4, "epoch1", { silent: [0, 1], epoch: 1 });
    failing.start();
    rotation.observe(failing.engines[2]!.keyState());
    expect(rotation.inForce()).toEqual(epoch0);
    failing.run(20_000);
    const f = failing.engines.map((e) => e.keyState());
    expect(f.every((s) => s.status === "failed" && s.code === "DKG_TOO_FEW_DEALERS")).toBe(true);
    rotation.observe(f[2]!);
    expect(rotation.inForce()).toEqual(epoch0);
    expect(rotation.statusOf(1)).toBe("failed");
    // Failed: it certifies nothing.
    failing.request(2, { op: "certify", tag: TAG, msg: Uint8Array.of(1) });
    expect(failing.replies.at(-1)!.body).toEqual({ ok: false, code: "QUORUM_KEY_NOT_READY" });

    // Epoch 2: a good member set takes over when (and only when) its key is ready.
    const next = quorum(4, "epoch2", { epoch: 2 });
    next.start();
    rotation.observe(next.engines[0]!.keyState());
    expect(rotation.inForce()?.epoch).toBe(0);
    next.run(5000);
    const s = next.engines[0]!.keyState();
    rotation.observe(s);
    expect(rotation.inForce()?.epoch).toBe(2);
    expect(rotation.inForce()?.groupKey).toBe(s.status === "ready" ? s.groupKey : "");
    // An older epoch's key never comes back.
    rotation.observe(old.engines[1]!.keyState());
    expect(rotation.inForce()?.epoch).toBe(2);
    expect(
      next.emits.some((e) => e.name === KEY_EVENT && (e.data as { status: string }).status === "ready"),
    ).toBe(true);
  });
});
