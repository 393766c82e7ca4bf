/**
 * The scenario runner (issue #8 item 5): start a devnet (its own temp dir unless told otherwise), run the
 * load, apply the steps on schedule while the monitor checks the invariants live, then a final phase in
 * TigerBeetle's style (heal every link, resume and restart every node, reset clocks; byzantine nodes stay
 * byzantine: they are the adversary, the honest quorum must live with them) in which liveness and
 * convergence must show within a bound, then drain the load, settle every acknowledged transfer, compare
 * every node's balances with the replay, tear the devnet down (no process left) and write the reports.
 *
 * Verdicts (reliability-anchors.md §7.2): `fail` if any check failed, else `vacuous` if any fault never
 * fired, else `unknown` if a check could not decide, else `pass`; `error` when the harness itself broke.
 * Only `pass` exits 0. The seed picks the devnet's keys and every seeded choice (random targets); the same
 * file and seed replay the same schedule (timing is real time, so not the same interleaving).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { formatAddress } from "../../core/crypto/address.ts";
import { Prng } from "../../core/engine/prng.ts";
import { LatticeClient } from "../../net/client/client.ts";
import { devnetAccounts } from "../genesis/genesis.ts";
import { verdictOf } from "../invariants/checker.ts";
import { down, loadState, up } from "../orchestrator/orchestrator.ts";
import { pidState, stopProcess } from "../orchestrator/processes.ts";
import { DevnetDriver } from "./driver.ts";
import { ScenarioLoad } from "./load.ts";
import { LiveMonitor } from "./monitor.ts";
import { shortened } from "./parse.ts";
import { LedgerReplay } from "./replay.ts";
import {
  type CheckOutcome,
  type ScenarioResult,
  type ScenarioVerdict,
  type TimelineEvent,
  writeReports,
} from "./report.ts";
import { CHECK_NAMES, type NodeRef, type Scenario, type Step, type Trigger } from "./types.ts";

export interface RunOptions {
  readonly scenario: Scenario;
  /** The file it came from (for the replay command). */
  readonly file?: string;
  readonly seed?: number;
  readonly short?: boolean;
  /** Devnet directory (default: a new temp dir). */
  readonly dir?: string;
  /** Where the reports go (default `<dir>/report`); null: write none. */
  readonly reportDir?: string | null;
  /** argv prefix that runs `lattice` (node processes). */
  readonly nodeCommand: readonly string[];
  /** One line per phase, step, fault and check, as they happen. */
  readonly onEvent?: (line: string) => void;
}

/** How long a step may wait for its trigger before it is applied anyway (and the delay noted). */
const TRIGGER_TIMEOUT_MS = 30_000;
const DEFAULT_LIVENESS_ROUNDS = 3;
const DEFAULT_LIVENESS_BOUND_MS = 20_000;
const FEE_RECIPIENT = formatAddress(new Uint8Array(20));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The one-line replay command. */
export function replayCommand(file: string | undefined, name: string, seed: number, short: boolean): string {
  const what = file === undefined ? `<file of scenario ${name}>` : file;
  return `lattice devnet scenario run ${what} --seed ${seed}${short ? " --short" : ""}`;
}

export async function runScenario(o: RunOptions): Promise<ScenarioResult> {
  const short = o.short === true;
  const sc = short ? shortened(o.scenario) : o.scenario;
  const seed = o.seed ?? sc.topology.seed ?? Math.floor(Math.random() * 0xffff_ffff);
  const prng = new Prng(seed);
  const replay = replayCommand(o.file, sc.name, seed, short);
  const dir = resolve(o.dir ?? mkdtempSync(join(tmpdir(), `lattice-scenario-${sc.name}-`)));
  const tempDir = o.dir === undefined;
  const reportDir = o.reportDir === null ? null : resolve(o.reportDir ?? join(dir, "report"));
  const wanted = new Set(sc.checks ?? CHECK_NAMES);
  const n = sc.topology.nodes;
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0);
  const startedAt = new Date().toISOString();
  const timeline: TimelineEvent[] = [];
  const checks: CheckOutcome[] = [];
  let startRound = 0;
  let monitor: LiveMonitor | null = null;
  let load: ScenarioLoad | null = null;
  let driver: DevnetDriver | null = null;
  let error: string | null = null;
  const round = () => monitor?.clusterRound() ?? 0;
  const event = (kind: TimelineEvent["kind"], text: string) => {
    const e = { at: now(), round: round(), kind, text };
    timeline.push(e);
    o.onEvent?.(`[${(e.at / 1000).toFixed(1)}s r${e.round}] ${kind}: ${text}`);
  };

  const config = {
    scenario: sc.name,
    seed,
    short,
    nodes: n,
    blockTimeMs: sc.topology.blockTimeMs ?? "devnet default",
    load: sc.load ?? null,
    steps: sc.steps.length,
    checks: [...wanted],
    liveness: {
      rounds: sc.liveness?.rounds ?? DEFAULT_LIVENESS_ROUNDS,
      boundMs: sc.liveness?.boundMs ?? DEFAULT_LIVENESS_BOUND_MS,
    },
    dir,
    replay,
  };
  event("phase", `config ${JSON.stringify(config)}`);

  try {
    // ---- devnet
    event("phase", `starting ${n} nodes in ${dir}`);
    const u = await up({
      dir,
      nodes: n,
      seed: `scenario-${seed}`,
      ...(sc.topology.blockTimeMs === undefined ? {} : { blockTimeMs: sc.topology.blockTimeMs }),
      nodeCommand: o.nodeCommand,
      detach: true,
      reset: true,
      timeoutMs: 60_000,
    });
    event("phase", `devnet ready in ${u.timings.readyMs} ms`);
    const genesis = u.genesis;
    const rep = new LedgerReplay(genesis.chainId, genesis.accounts, FEE_RECIPIENT);
    const drv = new DevnetDriver(dir, o.nodeCommand, now, round);
    driver = drv;
    const mon = new LiveMonitor({ targets: () => drv.running(), replay: rep, now });
    monitor = mon;
    await mon.poll();
    mon.start();
    startRound = mon.clusterRound();

    // ---- load
    if (sc.load !== undefined) {
      const accounts = devnetAccounts(sc.load.senders);
      load = new ScenarioLoad({
        chainId: genesis.chainId,
        senders: accounts.slice(0, sc.load.senders),
        tps: sc.load.tps,
        targets: () => drv.running(),
        now,
      });
      load.start();
      event("phase", `load ${sc.load.tps} transfers/s from ${sc.load.senders} senders`);
    }
    const loadUntil = sc.load?.durationMs === undefined ? null : now() + sc.load.durationMs;

    // ---- steps
    let stepNo = 0;
    let prevEnd = now();
    let prevEndRound = startRound;
    const resolveNodes = (ref: NodeRef, live: boolean): number[] => {
      if (ref === "all") return Array.from({ length: n }, (_, i) => i);
      if (ref === "down") {
        drv.refresh();
        return drv.state.nodes.filter((x) => x.status !== "running").map((x) => x.index);
      }
      if (ref === "leader") return [(round() + 1) % n];
      if (ref === "random") {
        const pool = live ? drv.running().map((t) => t.index) : Array.from({ length: n }, (_, i) => i);
        const from = pool.length > 0 ? pool : [0];
        return [from[prng.int(0, from.length - 1)]!];
      }
      return [ref];
    };
    const waitTrigger = async (t: Trigger | undefined) => {
      if (t === undefined) return;
      let ok = true;
      if ("ms" in t) await sleep(Math.max(0, t.ms - now()));
      else if ("afterMs" in t) await sleep(Math.max(0, prevEnd + t.afterMs - now()));
      else {
        const target = "round" in t ? startRound + t.round : prevEndRound + t.afterRounds;
        ok = await mon.until(() => mon.clusterRound() >= target, TRIGGER_TIMEOUT_MS);
        if (!ok)
          event("note", `round ${target} not reached within ${TRIGGER_TIMEOUT_MS} ms; step applied anyway`);
      }
    };
    const assertStep = async (st: Extract<Step, { do: "assert" }>, label: string) => {
      const r0 = mon.clusterRound();
      const within = st.withinMs ?? 10_000;
      let c: CheckOutcome;
      if (st.check === "progress") {
        const need = st.rounds ?? 3;
        const ok = await mon.until(() => mon.clusterRound() >= r0 + need, within);
        c = {
          name: label,
          status: ok ? "pass" : "fail",
          detail: `${mon.clusterRound() - r0} new round(s) within ${within} ms (>= ${need} expected)`,
        };
      } else if (st.check === "stalled") {
        const allow = st.rounds ?? 2;
        await sleep(within);
        const got = mon.clusterRound() - r0;
        c = {
          name: label,
          status: got <= allow ? "pass" : "fail",
          detail: `${got} new round(s) in ${within} ms (at most ${allow} expected: no quorum)`,
        };
      } else {
        const broken = [mon.checker.agreement(), mon.checker.stateAgreement()].filter(
          (x) => x.status === "fail",
        );
        const rf = rep.failure;
        c =
          broken.length === 0 && rf === undefined
            ? { name: label, status: "pass", detail: "agreement, state agreement and replay hold so far" }
            : {
                name: label,
                status: "fail",
                detail: broken.length > 0 ? broken[0]!.detail : `${rf!.check}: ${rf!.why}`,
                firstFailure: broken[0]?.firstFailure ?? rf,
              };
      }
      checks.push(c);
      event("check", `${c.name}: ${c.status} (${c.detail})`);
    };
    const runSteps = async (steps: readonly Step[], suffix: string): Promise<void> => {
      for (const st of steps) {
        if (st.do === "repeat") {
          await waitTrigger(st.at);
          for (let i = 0; i < st.times; i++) await runSteps(st.steps, `${suffix} #${i + 1}`);
          continue;
        }
        stepNo++;
        const label = `${st.label ?? describe(st)}${suffix}`;
        await waitTrigger(st.at);
        event("step", `${stepNo}. ${label}`);
        await applyStep(st, stepNo, label);
        prevEnd = now();
        prevEndRound = mon.clusterRound();
      }
    };
    const applyStep = async (st: Step, no: number, label: string): Promise<void> => {
      switch (st.do) {
        case "kill":
          return drv.kill(no, label, resolveNodes(st.node, true));
        case "restart":
          return drv.restart(no, label, resolveNodes(st.node, false));
        case "pause":
          return drv.pause(no, label, resolveNodes(st.node, true), true);
        case "resume":
          return drv.pause(no, label, resolveNodes(st.node, false), false);
        case "partition": {
          const groups =
            st.groups ??
            (() => {
              const [i] = resolveNodes(st.isolate!, true);
              return [[i!], Array.from({ length: n }, (_, k) => k).filter((k) => k !== i)];
            })();
          const kind =
            st.isolate === undefined ? (st.oneWay === true ? "partition-one-way" : "partition") : "isolate";
          return drv.links(
            no,
            `${label} [${groups.map((g) => g.join(",")).join("/")}]`,
            kind,
            drv.partitionFaults(groups, st.oneWay === true),
          );
        }
        case "heal":
          await drv.heal();
          return;
        case "latency":
          return drv.links(
            no,
            label,
            "latency",
            drv.targetFaults(st.target, { latencyMs: st.ms, jitterMs: st.jitterMs ?? 0 }),
          );
        case "loss":
          return drv.links(no, label, "loss", drv.targetFaults(st.target, { loss: st.rate }));
        case "duplicate":
          return drv.links(
            no,
            label,
            "duplicate",
            drv.targetFaults(st.target, {
              duplicate: st.rate,
              ...(st.reorder === undefined ? {} : { reorder: st.reorder }),
            }),
          );
        case "skew":
          for (const i of resolveNodes(st.node, true)) await drv.skew(no, label, i, st.ms);
          return;
        case "byzantine":
          for (const i of resolveNodes(st.node, true)) {
            if (st.mode !== "honest") mon.markByzantine(i);
            await drv.byzantine(no, label, i, st.mode);
          }
          return;
        case "replay-txs": {
          if (load === null) {
            drv.note(no, label, "replay-txs", 0, "no load: nothing to replay");
            return;
          }
          const sent = await load.replay(st.count);
          const answers = load.replays.slice(-sent).map((x) => x.answer);
          drv.note(
            no,
            label,
            "replay-txs",
            sent,
            `${sent} final transfer(s) re-submitted; answers: ${[...new Set(answers)].join(", ") || "none"}`,
          );
          return;
        }
        case "wait": {
          if (st.rounds !== undefined) {
            const target = mon.clusterRound() + st.rounds;
            if (!(await mon.until(() => mon.clusterRound() >= target, TRIGGER_TIMEOUT_MS)))
              event("note", `wait: round ${target} not reached within ${TRIGGER_TIMEOUT_MS} ms`);
          }
          if (st.ms !== undefined) await sleep(st.ms);
          return;
        }
        case "assert":
          return assertStep(st, `assert step ${no}: ${label}`);
        case "repeat":
          return runSteps(st.steps, "");
      }
    };
    await runSteps(sc.steps, "");
    if (loadUntil !== null && now() < loadUntil) {
      event("phase", `steps done; load runs until ${loadUntil} ms`);
      await sleep(loadUntil - now());
    }

    // ---- final phase: heal everything, then liveness and convergence within the bound
    event("phase", "final heal: links healed, paused nodes resumed, stopped nodes restarted, clocks reset");
    await drv.heal();
    drv.refresh();
    const paused = drv.state.nodes.filter((x) => x.status === "paused").map((x) => x.index);
    if (paused.length > 0) await drv.pause(0, "final: resume", paused, false);
    const stopped = drv.state.nodes
      .filter((x) => x.status !== "running" && x.status !== "paused")
      .map((x) => x.index);
    if (stopped.length > 0) await drv.restart(0, "final: restart", stopped);
    await drv.resetSkews();
    drv.refresh();
    const healedAt = now();
    const honestUp = drv
      .running()
      .filter((t) => mon.isHonest(t.index))
      .map((t) => t.index);
    const heightAtHeal = new Map(honestUp.map((i) => [i, mon.height.get(i) ?? 0]));
    const roundAtHeal = mon.clusterRound();
    const needRounds = sc.liveness?.rounds ?? DEFAULT_LIVENESS_ROUNDS;
    const bound = sc.liveness?.boundMs ?? DEFAULT_LIVENESS_BOUND_MS;
    const live = () =>
      honestUp.every((i) => {
        const h = mon.height.get(i) ?? 0;
        return h >= heightAtHeal.get(i)! + needRounds && h >= roundAtHeal;
      });
    const lived = await mon.until(live, bound);
    event("phase", `liveness phase: round ${mon.clusterRound()} (was ${roundAtHeal} at heal)`);

    // ---- drain the load and settle every acknowledged transfer
    if (load !== null) {
      await load.stop();
      event("phase", `load stopped: ${JSON.stringify(load.summary())}`);
    }
    const ref = drv.running().find((t) => mon.isHonest(t.index));
    const unsettled: string[] = [];
    const unknown: string[] = [];
    if (load !== null && ref !== undefined) {
      const client = new LatticeClient({ url: ref.url, timeoutMs: 3_000 });
      const acked = load.ops.filter((op) => op.ack);
      const open = new Set(acked.map((op) => op.id));
      // Without liveness nothing more will settle: look once, do not wait.
      const deadline = performance.now() + (lived ? 15_000 : 0);
      while (open.size > 0 && performance.now() < deadline) {
        for (const id of [...open]) {
          const s = await client.status(id).catch(() => undefined);
          if (s !== undefined && s !== null && (s.status === "final" || s.status === "rejected"))
            open.delete(id);
        }
        if (open.size > 0) await sleep(300);
      }
      for (const id of open) {
        const s = await client.status(id).catch(() => undefined);
        if (s === null) unknown.push(id);
        else unsettled.push(id);
      }
      client.close();
    }
    // The replay catches up with every honest node before balances are compared.
    const caughtUp = await mon.until(() => {
      const hs = drv
        .running()
        .filter((t) => mon.isHonest(t.index))
        .map((t) => mon.height.get(t.index) ?? 0);
      return hs.length > 0 && rep.lastRound >= Math.min(...hs);
    }, 5_000);
    const balanceDiffs: string[] = [];
    let supplySeen: bigint | null = null;
    const supplyBad: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      balanceDiffs.length = 0;
      supplyBad.length = 0;
      await mon.poll();
      for (const t of drv.running().filter((x) => mon.isHonest(x.index))) {
        const client = new LatticeClient({ url: t.url, timeoutMs: 3_000 });
        let sum = 0n;
        for (const [address, acct] of rep.accounts) {
          try {
            const a = await client.getAccount(address, { proof: true });
            sum += a.balance;
            if (a.balance !== acct.balance)
              balanceDiffs.push(`node ${t.index} ${address}: ${a.balance}, replay ${acct.balance}`);
          } catch (err) {
            balanceDiffs.push(
              `node ${t.index} ${address}: ${err instanceof Error ? err.message : String(err)}`,
            );
          }
        }
        supplySeen = sum;
        if (sum !== rep.supply) supplyBad.push(`node ${t.index}: ${sum} (genesis ${rep.supply})`);
        client.close();
      }
      if (balanceDiffs.length === 0 && supplyBad.length === 0) break;
      await sleep(1_000);
    }
    await mon.stop();
    drv.closeAll();
    const endedAt = now();

    // ---- checks
    const add = (c: CheckOutcome) => {
      if (!wanted.has(c.name as (typeof CHECK_NAMES)[number])) return;
      checks.push(c);
      event("check", `${c.name}: ${c.status} (${c.detail})`);
    };
    const a = mon.checker.agreement();
    add({
      name: "agreement",
      status: a.status,
      detail: a.detail,
      ...(a.firstFailure === undefined ? {} : { firstFailure: a.firstFailure }),
    });
    const sa = mon.checker.stateAgreement();
    add({
      name: "state-agreement",
      status: sa.status,
      detail: sa.detail,
      ...(sa.firstFailure === undefined ? {} : { firstFailure: sa.firstFailure }),
    });
    const rf = rep.failure;
    add(
      rf?.check === "validity"
        ? {
            name: "validity",
            status: "fail",
            detail: `round ${rf.round} tx ${rf.tx.slice(0, 16)}: ${rf.why}`,
            firstFailure: rf,
          }
        : caughtUp
          ? {
              name: "validity",
              status: "pass",
              detail: `${rep.lastRound} rounds replayed from genesis, ${rep.finalCount} final transfers valid in order`,
            }
          : { name: "validity", status: "unknown", detail: `replay reached round ${rep.lastRound} only` },
    );
    const accepted = load?.replays.filter((x) => x.answer === "accepted") ?? [];
    add(
      rf?.check === "no-double-apply"
        ? {
            name: "no-double-apply",
            status: "fail",
            detail: `round ${rf.round} tx ${rf.tx.slice(0, 16)}: ${rf.why}`,
            firstFailure: rf,
          }
        : {
            name: "no-double-apply",
            status: "pass",
            detail: `no transfer final twice in ${rep.finalCount}; ${load?.replays.length ?? 0} re-submission(s), ${accepted.length} accepted at the door`,
          },
    );
    const finalOk = load?.ops.filter((op) => op.outcome === "ok") ?? [];
    // Only rounds the honest replay reached can prove a transfer missing; beyond them it is undecided.
    const missing = finalOk.filter(
      (op) => Number(op.round) <= rep.lastRound && rep.finalIn.get(op.id) !== op.round,
    );
    const beyond = finalOk.filter((op) => Number(op.round) > rep.lastRound);
    const reg = mon.regressions[0];
    if (reg !== undefined)
      add({
        name: "durability",
        status: "fail",
        detail: `node ${reg.node}'s latest round went from ${reg.was} to ${reg.now}`,
        firstFailure: reg,
      });
    else if (unknown.length > 0 || missing.length > 0)
      add({
        name: "durability",
        status: "fail",
        detail:
          unknown.length > 0
            ? `${unknown.length} acknowledged transfer(s) unknown to node ${ref?.index}: first ${unknown[0]}`
            : `${missing.length} transfer(s) the client saw final are not final in that round: first ${missing[0]!.id}`,
        firstFailure: unknown.length > 0 ? load?.ops.find((op) => op.id === unknown[0]) : missing[0],
      });
    else if (unsettled.length > 0 || beyond.length > 0)
      add({
        name: "durability",
        status: "unknown",
        detail:
          unsettled.length > 0
            ? `${unsettled.length} acknowledged transfer(s) still pending at the end`
            : `${beyond.length} transfer(s) seen final in rounds no honest node reached (last ${rep.lastRound})`,
      });
    else
      add({
        name: "durability",
        status: "pass",
        detail: `${load?.ops.filter((op) => op.ack).length ?? 0} acknowledged transfers settled (${finalOk.length} seen final by the client, all in the chain); no round lost`,
      });
    add(
      supplyBad.length > 0 || balanceDiffs.length > 0
        ? {
            name: "supply",
            status: "fail",
            detail: supplyBad[0] ?? `balance differs from the replay: ${balanceDiffs[0]}`,
            firstFailure: { supply: supplyBad, balances: balanceDiffs.slice(0, 10) },
          }
        : {
            name: "supply",
            status: "pass",
            detail: `${rep.accounts.size} accounts equal the replay on every honest node; total ${supplySeen ?? rep.supply} = genesis`,
          },
    );
    const l = mon.checker.liveness({
      healedAt,
      bound,
      minHeights: needRounds,
      endedAt,
      expected: honestUp.map((i) => ({ node: `node${i}`, chain: "lattice" })),
    });
    add({
      name: "liveness",
      status: honestUp.length === 0 ? "fail" : l.status,
      detail: honestUp.length === 0 ? "no honest node runs" : l.detail,
    });
    const late = honestUp.filter((i) => {
      const at = mon.seenAt.get(i)?.get(roundAtHeal);
      return (mon.height.get(i) ?? 0) < roundAtHeal || (at !== undefined && at > healedAt + bound);
    });
    add(
      late.length === 0
        ? {
            name: "convergence",
            status: "pass",
            detail: `${honestUp.length} honest node(s) reached round ${roundAtHeal} within ${bound} ms of heal`,
          }
        : {
            name: "convergence",
            status: "fail",
            detail: `node(s) ${late.join(", ")} did not reach round ${roundAtHeal} within ${bound} ms of heal`,
          },
    );
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    event("note", `harness error: ${error}`);
  } finally {
    await monitor?.stop().catch(() => undefined);
    await load?.stop().catch(() => undefined);
    load?.close();
    await teardown(dir, event);
  }

  // Step 0 records are the final phase's own operations, not scenario faults.
  const faults = driver?.faults.filter((f) => f.step > 0) ?? [];
  for (const f of faults) event("fault", `step ${f.step} ${f.label}: fired ${f.fired} (${f.evidence})`);
  const unfired = faults.filter((f) => f.fired <= 0).map((f) => f.label);
  const verdict: ScenarioVerdict =
    error !== null
      ? "error"
      : verdictOf(
          checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail })),
          unfired,
        );
  const broken = [
    ...checks.filter((c) => c.status !== "pass").map((c) => c.name),
    ...unfired.map((f) => `vacuous: ${f}`),
  ];
  const result: ScenarioResult = {
    version: 1,
    scenario: sc.name,
    file: o.file ?? null,
    seed,
    short,
    verdict,
    broken,
    replay,
    startedAt,
    durationMs: now(),
    config,
    checks,
    faults,
    load: load?.summary() ?? null,
    rounds: { start: startRound, end: monitor?.clusterRound() ?? 0 },
    timeline,
    devnetDir: dir,
    reportDir,
    error,
  };
  if (reportDir !== null) writeReports(reportDir, result, load?.ops ?? []);
  // A passing run in a temp dir leaves only its report; anything else stays for inspection.
  if (tempDir && verdict === "pass") rmSync(join(dir, "nodes"), { recursive: true, force: true });
  return result;
}

/** Stop every node of the devnet; if `down` fails, SIGKILL the pids its state lists (and only those). */
async function teardown(dir: string, event: (k: TimelineEvent["kind"], t: string) => void): Promise<void> {
  try {
    await down(dir, { graceMs: 3_000 });
    event("phase", "devnet down: no process left");
  } catch (err) {
    let state: ReturnType<typeof loadState> | null = null;
    try {
      state = loadState(dir);
    } catch {
      return; // never started
    }
    for (const x of state.nodes)
      if (x.pid !== null) await stopProcess(x.pid, x.config, { hard: true }).catch(() => undefined);
    const left = state.nodes.filter((x) => x.pid !== null && pidState(x.pid) !== "gone");
    event(
      "note",
      `down failed (${err instanceof Error ? err.message : String(err)}); killed the listed pids; ${left.length} left`,
    );
  }
}

/** A step in words (the default label). */
export function describe(st: Step): string {
  switch (st.do) {
    case "kill":
    case "restart":
    case "pause":
    case "resume":
      return `${st.do} node ${st.node}`;
    case "partition":
      return st.isolate !== undefined
        ? `isolate node ${st.isolate}`
        : `partition ${st.groups!.map((g) => g.join(",")).join("/")}${st.oneWay === true ? " one-way" : ""}`;
    case "heal":
      return "heal";
    case "latency":
      return `latency ${st.ms}ms +-${st.jitterMs ?? 0} on ${st.target}`;
    case "loss":
      return `loss ${st.rate} on ${st.target}`;
    case "duplicate":
      return `duplicate ${st.rate}${st.reorder === undefined ? "" : ` reorder ${st.reorder}`} on ${st.target}`;
    case "skew":
      return `skew node ${st.node} by ${st.ms} ms`;
    case "byzantine":
      return `node ${st.node} ${st.mode}`;
    case "replay-txs":
      return `re-submit ${st.count} final transfers`;
    case "wait":
      return `wait${st.rounds === undefined ? "" : ` ${st.rounds} rounds`}${st.ms === undefined ? "" : ` ${st.ms} ms`}`;
    case "assert":
      return `${st.check}${st.rounds === undefined ? "" : ` ${st.rounds} rounds`}${st.withinMs === undefined ? "" : ` within ${st.withinMs} ms`}`;
    case "repeat":
      return `repeat ${st.times}x`;
  }
}
