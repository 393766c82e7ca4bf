import { describe, expect, test } from "bun:test";
import { VirtualClock } from "./virtual-clock.ts";

describe("VirtualClock", () => {
  test("fires in time order, ties in scheduling order", () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.schedule(20, () => log.push("b"));
    c.schedule(10, () => log.push("a1"));
    c.schedule(10, () => log.push("a2"));
    c.advance(15);
    expect(log).toEqual(["a1", "a2"]);
    expect(c.now()).toBe(15);
    c.advance(5);
    expect(log).toEqual(["a1", "a2", "b"]);
  });

  test("cancelled callbacks never fire; now() is the due time inside a callback", () => {
    const c = new VirtualClock(100);
    const seen: number[] = [];
    const h = c.schedule(5, () => seen.push(-1));
    c.schedule(7, () => seen.push(c.now()));
    c.cancel(h);
    expect(c.pending()).toBe(1);
    c.advance(50);
    expect(seen).toEqual([107]);
    expect(c.now()).toBe(150);
  });

  test("callbacks scheduled at now() run in the same advance", () => {
    const c = new VirtualClock();
    const log: number[] = [];
    c.schedule(1, () => {
      log.push(1);
      c.schedule(0, () => log.push(2));
    });
    c.advance(1);
    expect(log).toEqual([1, 2]);
  });

  test("runUntilIdle stops on condition, step limit and idleness", () => {
    const c = new VirtualClock();
    let n = 0;
    const tick = () => {
      n++;
      c.schedule(10, tick);
    };
    c.schedule(10, tick);
    c.runUntilIdle({ until: () => n >= 5 });
    expect(n).toBe(5);
    expect(c.now()).toBe(50);
    expect(c.runUntilIdle({ maxSteps: 3 })).toBe(3);
    expect(c.nextAt()).toBe(90);
    const d = new VirtualClock();
    d.schedule(3, () => {});
    expect(d.runUntilIdle()).toBe(1);
    expect(d.nextAt()).toBeUndefined();
  });

  test("rejects bad delays and going back in time", () => {
    const c = new VirtualClock(10);
    expect(() => c.schedule(-1, () => {})).toThrow(RangeError);
    expect(() => c.schedule(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => c.advanceTo(5)).toThrow(RangeError);
  });
});
