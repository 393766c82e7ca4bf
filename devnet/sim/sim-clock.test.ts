import { describe, expect, test } from "bun:test";
import { Prng } from "../../core/engine/prng.ts";
import { VirtualClock } from "../../core/engine/virtual-clock.ts";
import { SimClock } from "./sim-clock.ts";

describe("SimClock", () => {
  test("runs callbacks in the same order as VirtualClock (time, then scheduling order), with cancels", () => {
    const a = new SimClock();
    const b = new VirtualClock();
    const logA: string[] = [];
    const logB: string[] = [];
    const handlesA: number[] = [];
    const handlesB: number[] = [];
    // The same random program on both clocks: schedules (some from inside callbacks), posts and cancels.
    const program = (clock: SimClock | VirtualClock, log: string[], handles: number[], rnd: Prng) => {
      for (let i = 0; i < 3000; i++) {
        const after = rnd.int(0, 40);
        const name = `e${i}`;
        const op = rnd.int(0, 9);
        if (op < 2 && handles.length > 0) clock.cancel(handles[rnd.int(0, handles.length - 1)]!);
        const fn = () => {
          log.push(`${clock.now()}:${name}`);
          if (name.endsWith("7")) handles.push(clock.schedule(0, () => log.push(`${clock.now()}:${name}+0`)));
        };
        if (op === 9 && clock instanceof SimClock) clock.post(after, (n: string) => n === name && fn(), name);
        else if (op === 9) clock.schedule(after, fn);
        else handles.push(clock.schedule(after, fn));
        if (i % 100 === 99) clock.advance(rnd.int(0, 30));
      }
      clock.advanceTo(clock.now() + 100);
    };
    program(a, logA, handlesA, new Prng(9));
    program(b, logB, handlesB, new Prng(9));
    expect(logA.length).toBeGreaterThan(2000);
    expect(logA).toEqual(logB);
    expect(a.pending()).toBe(0);
  });

  test("time only moves in advanceTo; the past and bad delays are errors", () => {
    const c = new SimClock();
    let fired = 0;
    c.schedule(10, () => fired++);
    expect(c.now()).toBe(0);
    c.advanceTo(9);
    expect(fired).toBe(0);
    c.advanceTo(10);
    expect(fired).toBe(1);
    expect(() => c.advanceTo(5)).toThrow(RangeError);
    expect(() => c.schedule(-1, () => {})).toThrow(RangeError);
    expect(() => c.post(Number.NaN, () => {}, 0)).toThrow(RangeError);
  });
});
