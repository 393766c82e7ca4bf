/**
 * Scenario files: JSON (`.json`) or YAML (`.yaml`/`.yml`, parsed by Bun's built-in YAML parser, so no
 * package is added), decoded with strict schemas into the same `Scenario` objects the typed API builds.
 * Unknown fields are refused (a typo must not silently drop a fault). Durations are milliseconds or
 * strings like "500ms", "5s", "1m". Also: `shortened` (the CI `--short` mode) and `nodeRefs` checks.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { CHECK_NAMES, type Scenario, type Step } from "./types.ts";

export class ScenarioFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScenarioFileError";
  }
}

const Duration = z.union([
  z.number().int().min(0).max(3_600_000),
  z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?(ms|s|m)$/, "a duration like 500ms, 5s or 1m")
    .transform((s) => {
      const m = /^([0-9.]+)(ms|s|m)$/.exec(s)!;
      const n = Number(m[1]);
      return Math.round(m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000);
    }),
]);
const Count = z.number().int().min(0).max(100_000);
const NodeRef = z.union([z.number().int().min(0).max(63), z.enum(["all", "down", "random", "leader"])]);
const LinkTarget = z.union([
  z.literal("all"),
  z.number().int().min(0).max(63),
  z.string().regex(/^[0-9]{1,2}[->][0-9]{1,2}$/, 'a link like "1-3" or "1>3"'),
]);
const Trigger = z.union([
  z.strictObject({ round: Count }),
  z.strictObject({ ms: Duration }),
  z.strictObject({ afterRounds: Count }),
  z.strictObject({ afterMs: Duration }),
]);
const base = { at: Trigger.optional(), label: z.string().max(200).optional() };
const Rate = z.number().min(0).max(1);

const StepSchema: z.ZodType<Step> = z.lazy(() =>
  z.discriminatedUnion("do", [
    z.strictObject({ ...base, do: z.literal("kill"), node: NodeRef }),
    z.strictObject({ ...base, do: z.literal("restart"), node: NodeRef }),
    z.strictObject({ ...base, do: z.literal("pause"), node: NodeRef }),
    z.strictObject({ ...base, do: z.literal("resume"), node: NodeRef }),
    z.strictObject({
      ...base,
      do: z.literal("partition"),
      groups: z
        .array(z.array(z.number().int().min(0).max(63)).min(1))
        .min(2)
        .optional(),
      isolate: NodeRef.optional(),
      oneWay: z.boolean().optional(),
    }),
    z.strictObject({ ...base, do: z.literal("heal") }),
    z.strictObject({
      ...base,
      do: z.literal("latency"),
      target: LinkTarget,
      ms: Duration,
      jitterMs: Duration.optional(),
    }),
    z.strictObject({ ...base, do: z.literal("loss"), target: LinkTarget, rate: Rate }),
    z.strictObject({
      ...base,
      do: z.literal("duplicate"),
      target: LinkTarget,
      rate: Rate,
      reorder: Rate.optional(),
    }),
    z.strictObject({
      ...base,
      do: z.literal("skew"),
      node: NodeRef,
      ms: z.number().int().min(-60_000).max(60_000),
    }),
    z.strictObject({
      ...base,
      do: z.literal("byzantine"),
      node: NodeRef,
      mode: z.enum(["honest", "equivocate", "vote-wrong", "withhold"]),
    }),
    z.strictObject({ ...base, do: z.literal("replay-txs"), count: z.number().int().min(1).max(1000) }),
    z.strictObject({ ...base, do: z.literal("wait"), rounds: Count.optional(), ms: Duration.optional() }),
    z.strictObject({
      ...base,
      do: z.literal("assert"),
      check: z.enum(["progress", "stalled", "safety"]),
      rounds: Count.optional(),
      withinMs: Duration.optional(),
    }),
    z.strictObject({
      ...base,
      do: z.literal("repeat"),
      times: z.number().int().min(1).max(1000),
      steps: z.array(StepSchema).min(1),
    }),
  ]),
) as z.ZodType<Step>;

export const ScenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "kebab-case, at most 64 characters"),
  description: z.string().max(2000).optional(),
  covers: z.array(z.number().int().min(1).max(22)).optional(),
  topology: z.strictObject({
    nodes: z.number().int().min(1).max(64),
    seed: z.number().int().min(0).max(0xffff_ffff).optional(),
    blockTimeMs: z.number().int().min(1).max(60_000).optional(),
  }),
  load: z
    .strictObject({
      tps: z.number().min(0.1).max(10_000),
      senders: z.number().int().min(2).max(10),
      duration: Duration.optional(),
    })
    .optional(),
  steps: z.array(StepSchema),
  checks: z.array(z.enum(CHECK_NAMES)).optional(),
  liveness: z.strictObject({ rounds: Count.optional(), bound: Duration.optional() }).optional(),
});

/** Strip `undefined`-valued keys (zod keeps them; exactOptionalPropertyTypes does not allow them). */
function clean<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clean) as T;
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clean(x);
    return out as T;
  }
  return v;
}

/** Decode and check a scenario object (the parsed contents of a file). */
export function scenarioFromObject(raw: unknown, where = "scenario"): Scenario {
  const r = ScenarioSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new ScenarioFileError(`${where}: ${issues}`);
  }
  const { load, liveness, ...rest } = clean(r.data);
  const s = {
    ...(rest as Omit<Scenario, "load" | "liveness">),
    steps: rest.steps as Step[],
    ...(load === undefined
      ? {}
      : {
          load: {
            tps: load.tps,
            senders: load.senders,
            ...(load.duration === undefined ? {} : { durationMs: load.duration }),
          },
        }),
    ...(liveness === undefined
      ? {}
      : {
          liveness: {
            ...(liveness.rounds === undefined ? {} : { rounds: liveness.rounds }),
            ...(liveness.bound === undefined ? {} : { boundMs: liveness.bound }),
          },
        }),
  } as Scenario;
  checkNodeRefs(s);
  return s;
}

/** Read a scenario file (.json, .yaml, .yml). */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ScenarioFileError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? Bun.YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new ScenarioFileError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return scenarioFromObject(raw, path);
}

/** Every node index a step names exists in the topology. */
export function checkNodeRefs(s: Scenario): void {
  const n = s.topology.nodes;
  const bad = (i: number, what: string) => {
    if (i >= n)
      throw new ScenarioFileError(`${s.name}: ${what}: node ${i} does not exist (nodes are 0..${n - 1})`);
  };
  const link = (t: string | number, what: string) => {
    if (typeof t === "number") bad(t, what);
    else if (t !== "all") for (const p of t.split(/[->]/)) bad(Number(p), what);
  };
  const walk = (steps: readonly Step[]) => {
    for (const st of steps) {
      const what = `step ${st.do}`;
      if ("node" in st && typeof st.node === "number") bad(st.node, what);
      if (st.do === "partition") {
        for (const g of st.groups ?? []) for (const i of g) bad(i, what);
        if (typeof st.isolate === "number") bad(st.isolate, what);
        if ((st.groups === undefined) === (st.isolate === undefined))
          throw new ScenarioFileError(`${s.name}: partition needs exactly one of groups and isolate`);
        if (st.oneWay === true && st.groups !== undefined && st.groups.length !== 2)
          throw new ScenarioFileError(`${s.name}: partition oneWay needs exactly two groups`);
      }
      if (st.do === "latency" || st.do === "loss" || st.do === "duplicate") link(st.target, what);
      if (st.do === "repeat") walk(st.steps);
    }
  };
  walk(s.steps);
}

const half = (x: number) => Math.max(1, Math.ceil(x / 2));

/**
 * The `--short` form for CI: times, round counts and repeats halved (at least 1), load shortened the same
 * way. Fault rates and the liveness bound are kept: a shorter run must not be a weaker check of them.
 */
export function shortened(s: Scenario): Scenario {
  const trig = (t: Step["at"]) => {
    if (t === undefined) return undefined;
    if ("round" in t) return { round: half(t.round) };
    if ("ms" in t) return { ms: half(t.ms) };
    if ("afterRounds" in t) return { afterRounds: half(t.afterRounds) };
    return { afterMs: half(t.afterMs) };
  };
  const step = (st: Step): Step => {
    const at = trig(st.at);
    const withAt = at === undefined ? st : { ...st, at };
    switch (withAt.do) {
      case "wait":
        return {
          ...withAt,
          ...(withAt.rounds === undefined ? {} : { rounds: half(withAt.rounds) }),
          ...(withAt.ms === undefined ? {} : { ms: half(withAt.ms) }),
        };
      case "repeat":
        return { ...withAt, times: half(withAt.times), steps: withAt.steps.map(step) };
      default:
        return withAt;
    }
  };
  return {
    ...s,
    steps: s.steps.map(step),
    ...(s.load === undefined
      ? {}
      : {
          load: {
            ...s.load,
            ...(s.load.durationMs === undefined ? {} : { durationMs: half(s.load.durationMs) }),
          },
        }),
  };
}
