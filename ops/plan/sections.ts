/**
 * Each platform section's plan, as the evaluated program wrote it into the stack's `plan` output, put in the
 * runbooks' words: one line per operator-visible step, in the order the section's plan lists them (each
 * section's plan is already in the order the engine runs its commands). Pure: no Pulumi import, no I/O.
 *
 * Nothing here decides anything: every figure (drain timeouts, moved fractions, targets, spend, waves)
 * is read from the section's plan output or from the `deployed` snapshots of the two evaluations.
 * A value a section does not publish is not computed here either; it is simply not shown.
 */

/** A section as the reader sees it: a title, whether it changes anything, and its steps. */
export interface SectionPlan {
    /** The program's section key (`search`, `origin`, ...). */
    readonly key: string;
    readonly title: string;
    /** The section's own verdict: "initial deployment", "update", "none", or the section's change kind. */
    readonly change: string;
    readonly steps: string[];
    /** Facts that are not steps (backups, blessed check, spend ceilings). */
    readonly notes: string[];
}

/** Readable titles of the sections the program declares; an unknown key is shown as itself. */
const TITLES: Readonly<Record<string, string>> = {
    origin: "origin cluster (Kraken)",
    spotFleets: "spot fleets",
    platform: "layered platform (Koverse)",
    controlPlane: "control plane (Triton)",
    search: "search cluster",
    emergency: "emergency switch (Emergency Procedures)",
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const list = (xs: readonly string[]): string => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);
const pct = (f: number): string => `${(f * 100).toFixed(1)}%`;
const money = (d: number): string => `$${Number(d.toFixed(4))}/h`;

/** The deployed snapshots of the two evaluations, where a section plan names hosts but not their weights or labels. */
export interface Snapshots {
    readonly previous?: Obj;
    readonly next?: Obj;
}

type HashEntry = { label?: unknown; weight?: unknown };
const hashstateOf = (deployed: Obj | undefined): Record<string, HashEntry> => obj(obj(obj(deployed).origin).hashstate) as Record<string, HashEntry>;
const labelled = (host: string, e: HashEntry | undefined): string => (e && typeof e.label === "string" ? `${host} (${e.label})` : host);

function originSection(plan: Obj, snaps: Snapshots): Omit<SectionPlan, "key" | "title"> {
    const change = str(plan.change) ?? "unknown";
    const kraken = str(plan.kraken);
    const restart = strs(plan.rollingRestart);
    const repairs = strs(plan.repairs);
    const before = hashstateOf(snaps.previous);
    const after = hashstateOf(snaps.next);
    const steps: string[] = [];
    if (change === "none") return { change, steps, notes: [`hashstate unchanged${kraken ? ` (Kraken: ${kraken})` : ""}`] };
    const added = Object.keys(after).filter((h) => !(h in before));
    const removed = Object.keys(before).filter((h) => !(h in after));
    const reweighted = Object.keys(after).filter((h) => h in before && (before[h].weight !== after[h].weight || before[h].label !== after[h].label));
    const what = [
        ...added.map((h) => `add ${h} as ${String(after[h].label)} (weight ${String(after[h].weight)})`),
        ...removed.map((h) => `remove ${labelled(h, before[h])}`),
        ...reweighted.map(
            (h) =>
                `change ${labelled(h, after[h])}: weight ${String(before[h].weight)} -> ${String(after[h].weight)}${before[h].label !== after[h].label ? `, label ${String(before[h].label)} -> ${String(after[h].label)}` : ""}`,
        ),
    ];
    if (change !== "initial deployment" && what.length > 0) steps.push(what.join("; "));
    if (restart.length > 0)
        steps.push(`roll the hashstate out to ${list(restart.map((h) => labelled(h, after[h])))}, one at a time, in this order (rolling restart)`);
    if (repairs.length > 0) steps.push(`then repair, in this order: ${repairs.join("; ")}`);
    const moved = num(plan.movedFraction);
    const minimum = num(plan.minimumFraction);
    const shards = num(plan.changedShards);
    const notes: string[] = [];
    if (moved !== undefined)
        notes.push(
            `${pct(moved)} of replica slots move${minimum !== undefined ? ` (the least any placement could move: ${pct(minimum)})` : ""}${shards !== undefined ? `; ${shards} shards change owners` : ""}`,
        );
    if (kraken) notes.push(`Kraken: ${kraken}`);
    return { change, steps, notes };
}

function spotSection(plan: Obj): Omit<SectionPlan, "key" | "title"> {
    const steps: string[] = [];
    const notes: string[] = [];
    let changed = false;
    for (const [fleet, raw] of Object.entries(plan)) {
        const p = obj(raw);
        const target = num(p.targetCapacity);
        const deployed = p.previousTargetCapacity === null ? undefined : num(p.previousTargetCapacity);
        const spend = obj(p.spend);
        const summary = obj(p.summary);
        const mix = (Array.isArray(summary.instances) ? summary.instances : []).map((i) => obj(i)).map((i) => `${String(i.count)}x ${String(i.type)}`);
        const budget = num(spend.budget);
        const planned = num(spend.planned);
        const worst = num(spend.worstCase);
        const ceiling = num(spend.ceiling);
        const targetText =
            target === undefined
                ? "target unknown"
                : deployed === undefined
                  ? `target ${target} units (new fleet)`
                  : deployed === target
                    ? `target stays at ${target} units`
                    : `target ${deployed} -> ${target} units`;
        if (deployed !== target) changed = true;
        const spendText = planned !== undefined && budget !== undefined ? `${money(planned)} of the ${money(budget)} budget` : "spend unknown";
        steps.push(
            `fleet ${fleet}: ${targetText}${mix.length ? `: ${mix.join(" + ")}` : ""}; ${spendText}` +
                `${worst !== undefined ? `, at most ${money(worst)} if prices rise to the caps` : ""}${ceiling !== undefined ? `, EC2 spend ceiling ${money(ceiling)}` : ""}`,
        );
        if (summary.emergencyStop === true) steps.push(`fleet ${fleet}: budget 0, the runbook's emergency stop: the fleet scales to zero`);
        const text = str(p.text);
        if (text) notes.push(text);
    }
    return { change: changed ? "update" : "none", steps, notes };
}

function platformSection(plan: Obj): Omit<SectionPlan, "key" | "title"> {
    const hosts = obj(plan.hosts);
    const services = obj(plan.services);
    const added = strs(hosts.added);
    const replaced = strs(hosts.replaced);
    const removed = strs(hosts.removed);
    const start = new Set(strs(services.start));
    const onNew = new Set(strs(services.restartOnNewHost));
    const again = strs(services.startAgain);
    const stop = strs(services.stop);
    const waves = (Array.isArray(plan.startOrder) ? plan.startOrder : []).map(strs);
    const steps: string[] = [];
    if (added.length) steps.push(`create hosts ${list(added)}`);
    for (const r of replaced) steps.push(`replace host ${r}: create the new machine first`);
    // The start waves (bottom layer first), restricted to what this update starts.
    const starting = waves.map((w) => w.filter((s) => start.has(s) || onNew.has(s))).filter((w) => w.length > 0);
    starting.forEach((w, i) => {
        const fresh = w.filter((s) => start.has(s));
        const moved = w.filter((s) => onNew.has(s));
        const parts = [...(fresh.length ? [`start ${list(fresh)}`] : []), ...(moved.length ? [`start ${list(moved)} on the new machine`] : [])];
        steps.push(`wave ${i + 1}: ${parts.join("; ")}`);
    });
    if (again.length) steps.push(`run the start script again for ${list(again)} (its unit changed; the unit it started before is not stopped)`);
    if (replaced.length && onNew.size)
        steps.push(`at the end of the update: stop the old machine's copies of ${list([...onNew])}, then delete the old machine`);
    if (stop.length) steps.push(`at the end of the update: stop ${list(stop)}, top layer first`);
    if (removed.length) steps.push(`at the end of the update: delete hosts ${list(removed)}`);
    const notes = [...(str(plan.backups) ? [`backups: ${str(plan.backups)}`] : []), ...(str(plan.restore) ? [`restore: ${str(plan.restore)}`] : [])];
    return { change: steps.length === 0 ? "none" : "update", steps, notes };
}

function controlPlaneSection(plan: Obj): Omit<SectionPlan, "key" | "title"> {
    const nodes = obj(plan.computeNodes);
    const added = strs(nodes.added);
    const replaced = strs(nodes.replaced);
    const removed = strs(nodes.removed);
    const headnode = str(plan.headnode) ?? "";
    const steps: string[] = [];
    const unchanged = / unchanged$/.test(headnode);
    if (headnode && !unchanged) steps.push(`headnode: ${headnode}`);
    if (added.length) steps.push(`create compute nodes ${list(added)}`);
    for (const r of replaced) steps.push(`replace compute node ${r}`);
    if (removed.length) steps.push(`at the end of the update: delete compute nodes ${list(removed)}`);
    const notes = [
        ...(unchanged ? [`headnode: ${headnode}`] : []),
        ...(str(plan.blessed) ? [str(plan.blessed)!] : []),
        ...(str(plan.backup) ? [`backups: ${str(plan.backup)}`] : []),
    ];
    return { change: steps.length === 0 ? "none" : "update", steps, notes };
}

function searchSection(plan: Obj): Omit<SectionPlan, "key" | "title"> {
    return { change: str(plan.change) ?? "unknown", steps: strs(plan.steps), notes: [] };
}

/**
 * The emergency switch: its report (ops/emergency/steps.ts emergencyReport) lists the steps in the order this
 * update runs them: the stop order when it turns on, the resume order (each behind its gate) when it turns off.
 */
function emergencySection(plan: Obj, snaps: Snapshots): Omit<SectionPlan, "key" | "title"> {
    const active = plan.active === true;
    const wasActive = obj(obj(snaps.previous).emergency).active === true;
    const order = strs(plan.order);
    const since = str(plan.since);
    const reason = str(plan.reason);
    const why = [...(since ? [`active since ${since}`] : []), ...(reason ? [`reason: ${reason}`] : [])];
    if (active && wasActive) return { change: "kept stopped", steps: [], notes: [...why, `kept stopped: ${order.join("; ")}`, "resume with active: false"] };
    if (active) return { change: "stop", steps: order, notes: [...why, "resume with active: false"] };
    if (order.length > 0)
        return {
            change: "resume",
            steps: order,
            notes: ["a gate that times out fails the update; the steps not yet resumed stay stopped and the next update continues"],
        };
    return { change: "none", steps: [], notes: [str(plan.text) ?? "no emergency"] };
}

/** Any other section: its plan's strings, as they are. */
function genericSection(plan: unknown): Omit<SectionPlan, "key" | "title"> {
    const steps = typeof plan === "string" ? [plan] : Object.entries(obj(plan)).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    return { change: "unknown", steps, notes: [] };
}

/** One section's plan, from the program's `plan` output for it (`snaps.previous` undefined: a first deployment). */
export function sectionPlan(key: string, plan: unknown, snaps: Snapshots, initial: boolean): SectionPlan {
    const p = obj(plan);
    const body =
        key === "origin"
            ? originSection(p, snaps)
            : key === "spotFleets"
              ? spotSection(p)
              : key === "platform"
                ? platformSection(p)
                : key === "controlPlane"
                  ? controlPlaneSection(p)
                  : key === "search"
                    ? searchSection(p)
                    : key === "emergency" && typeof plan === "object"
                      ? emergencySection(p, snaps)
                      : genericSection(plan);
    const change = initial && body.change !== "none" ? "initial deployment" : body.change;
    return { key, title: TITLES[key] ?? key, ...body, change };
}
