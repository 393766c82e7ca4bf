/**
 * Deterministic DKG quorums from a seed: member ids, share-box key pairs, a session id and one
 * engine per member, each with its own seeded random stream. For tests, benchmarks and the
 * simulator (a failing run prints its seed; the same seed rebuilds the same quorum).
 */
import { sha256 } from "../crypto/sha256.ts";
import { compareBytes, utf8 } from "../crypto/bytes.ts";
import type { Group } from "../threshold/group.ts";
import { seededRandom } from "../threshold/seeded-random.ts";
import type { DkgMember } from "./contract.ts";
import { DkgEngine } from "./engine.ts";
import { boxKeyPair, type ShareBox, x25519ShareBox } from "./share-box.ts";

export interface DkgFixture<E> {
  readonly session: Uint8Array;
  /** Sorted canonically: `members[i - 1]` is member i. */
  readonly members: readonly DkgMember[];
  /** `boxSecrets[i - 1]` is member i's share-box secret key. */
  readonly boxSecrets: readonly Uint8Array[];
  /** `engines[i - 1]` is member i's engine. */
  readonly engines: readonly DkgEngine<E>[];
  /** A fresh engine for member i (same keys, new random stream): for restarts and replays. */
  engineFor(index: number, streamLabel?: string): DkgEngine<E>;
}

/** n members with ids SHA-256(seed ‖ i), keys and randomness from seeded streams. */
export function dkgFixture<E>(
  group: Group<E>,
  n: number,
  seed: string,
  box: ShareBox = x25519ShareBox,
): DkgFixture<E> {
  const session = sha256(utf8(`lattice/dkg-fixture/session/${seed}`));
  const raw = Array.from({ length: n }, (_, i) => {
    const id = sha256(utf8(`lattice/dkg-fixture/id/${seed}/${i}`));
    const kp = boxKeyPair(seededRandom(`${seed}/box/${i}`));
    return { member: { id, encryptionKey: kp.publicKey }, secret: kp.secretKey };
  });
  raw.sort((a, b) => compareBytes(a.member.id, b.member.id));
  const members = raw.map((r) => r.member);
  const boxSecrets = raw.map((r) => r.secret);
  const engineFor = (index: number, streamLabel = "engine"): DkgEngine<E> =>
    new DkgEngine({
      group,
      session,
      members,
      self: { id: members[index - 1]!.id, encryptionSecret: boxSecrets[index - 1]! },
      random: seededRandom(`${seed}/${streamLabel}/${index}`),
      box,
    });
  const engines = members.map((_, i) => engineFor(i + 1));
  return { session, members, boxSecrets, engines, engineFor };
}
