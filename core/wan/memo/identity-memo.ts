/**
 * Memos of pure functions by object identity (issue #6 performance). In one process the simulator hands
 * the SAME payload object to every recipient of a broadcast, so each of 16 engines decoding it, verifying
 * its signatures and hashing its transfers repeated identical work: most of a simulated round's cost.
 * Every function memoised here is pure (its result depends only on its arguments, and the arguments are
 * never mutated: wire values are readonly), so a memoised answer is exactly what the caller would have
 * computed. Keys are weak: nothing is kept alive by the memo. Results that depend on a crypto suite are
 * keyed by the suite object too (model suites carry per-instance state).
 */

/** `fn` memoised on its (object) argument. */
export function memoByObject<K extends object, V>(fn: (k: K) => V): (k: K) => V {
  const m = new WeakMap<K, V>();
  return (k) => {
    if (m.has(k)) return m.get(k) as V;
    const v = fn(k);
    m.set(k, v);
    return v;
  };
}

/** `fn(ctx, k)` memoised on both object arguments (e.g. a signer or group key and a message). */
export function memoByPair<C extends object, K extends object, V>(fn: (c: C, k: K) => V): (c: C, k: K) => V {
  const outer = new WeakMap<C, WeakMap<K, V>>();
  return (c, k) => {
    let inner = outer.get(c);
    if (inner === undefined) {
      inner = new WeakMap();
      outer.set(c, inner);
    }
    if (inner.has(k)) return inner.get(k) as V;
    const v = fn(c, k);
    inner.set(k, v);
    return v;
  };
}

/** A decode that may throw, memoised with its outcome (the same error is thrown again). */
export function memoDecode<V>(decode: (b: Uint8Array) => V): (b: Uint8Array) => V {
  const m = new WeakMap<Uint8Array, { ok: true; v: V } | { ok: false; e: unknown }>();
  return (b) => {
    let r = m.get(b);
    if (r === undefined) {
      try {
        r = { ok: true, v: decode(b) };
      } catch (e) {
        r = { ok: false, e };
      }
      m.set(b, r);
    }
    if (r.ok) return r.v;
    throw r.e;
  };
}
