// Placement throughput of ops/origin/hrw.ts against Kraken's own Go lib/hrw, on the same machine and the same
// keys, printed as a ratio; then the moved fraction of replica slots against its theoretical minimum for an add
// and a re-weight over 1M keys. Entry point: bench/origin/run.sh (builds the Go baseline in bench/origin/go).
//
//   node placement.js [--go-bin PATH] [--keys N] [--rounds N] [--moved-keys N] [--vectors vectors.json]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { goLog } from "../../ops/origin/golog";
import { type HrwNode, type Placement, rendezvousHash } from "../../ops/origin/hrw";

// Scenario E of tests/fixtures/kraken-hrw; bench/origin/go/main.go uses the same 7 nodes in the same order.
const scenarioE: HrwNode[] = [10000, 15000, 30000, 60000, 30000, 15000, 10000].map((weight, i) => ({
    label: `kraken-origin-master0${i + 1}-sjc1`,
    weight,
}));

/** Deterministic 64-hex keys (sha256-digest shaped) from a fixed seed: xorshift32. */
function* keys(count: number, seed = 0x9e3779b9): Generator<string> {
    let x = seed >>> 0;
    const next = () => {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        return x;
    };
    for (let i = 0; i < count; i++) {
        let k = "";
        for (let w = 0; w < 8; w++) k += next().toString(16).padStart(8, "0");
        yield k;
    }
}

interface Measured {
    readonly impl: string;
    readonly keysPerSec: number;
    readonly seconds: number;
    readonly checksum: number;
}

function measureTs(impl: string, placement: Placement, keyList: readonly string[], rounds: number): Measured {
    const order = new Int32Array(placement.nodes.length);
    let best = Infinity;
    let checksum = 0;
    for (let r = 0; r < rounds + 1; r++) {
        // The first pass warms the JIT up and is not timed.
        let sum = 2166136261;
        const started = process.hrtime.bigint();
        for (const k of keyList) {
            placement.orderedIndices(k, order);
            for (let i = 0; i < order.length; i++) sum = Math.imul(sum ^ order[i], 16777619) >>> 0;
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (r > 0 && seconds < best) best = seconds;
        checksum = sum;
    }
    return { impl, seconds: best, keysPerSec: keyList.length / best, checksum };
}

function repoRoot(): string {
    let dir = __dirname;
    while (!existsSync(join(dir, "package.json"))) {
        if (dirname(dir) === dir) throw new Error("cannot find the repository root (package.json) to build the Go baseline; pass --go-bin");
        dir = dirname(dir);
    }
    return dir;
}

function movedVsMinimum(name: string, before: HrwNode[], after: HrwNode[], count: number, replicas = 3): void {
    const pb = rendezvousHash(before);
    const pa = rendezvousHash(after);
    const ob = new Int32Array(before.length);
    const oa = new Int32Array(after.length);
    const labelsB = before.map((n) => n.label);
    const labelsA = after.map((n) => n.label);
    const rb = Math.min(replicas, before.length);
    const ra = Math.min(replicas, after.length);
    const load = new Map<string, number>();
    let moved = 0;
    for (const k of keys(count, 0x2545f491)) {
        pb.orderedIndices(k, ob);
        pa.orderedIndices(k, oa);
        for (let i = 0; i < ra; i++) {
            const l = labelsA[oa[i]];
            load.set(l, (load.get(l) ?? 0) + 1);
            let held = false;
            for (let j = 0; j < rb; j++) if (labelsB[ob[j]] === l) held = true;
            if (!held) moved++;
        }
        for (let j = 0; j < rb; j++) {
            const l = labelsB[ob[j]];
            load.set(l, (load.get(l) ?? 0) - 1);
        }
    }
    const slots = count * ra;
    let minimum = 0;
    for (const d of load.values()) if (d > 0) minimum += d;
    const ratio = minimum === 0 ? (moved === 0 ? "nothing moves" : "INFINITE") : `ratio ${(moved / minimum).toFixed(4)}`;
    console.log(
        `${name}: moved ${(moved / slots).toFixed(6)} of replica slots, theoretical minimum ${(minimum / slots).toFixed(6)}, ${ratio} (${count} keys, ${replicas} replicas)`,
    );
}

function main(): void {
    const { values } = parseArgs({
        options: {
            "go-bin": { type: "string" },
            keys: { type: "string", default: "200000" },
            rounds: { type: "string", default: "3" },
            "moved-keys": { type: "string", default: "1000000" },
            vectors: { type: "string" },
        },
    });
    const count = Number(values.keys);
    const rounds = Number(values.rounds);
    const movedKeys = Number(values["moved-keys"]);
    const work = mkdtempSync(join(tmpdir(), "origin-bench-"));
    try {
        let goBin = values["go-bin"];
        if (goBin === undefined) {
            goBin = join(work, "krakenhrw");
            process.stderr.write("building the Kraken lib/hrw baseline (bench/origin/go)...\n");
            execFileSync("go", ["build", "-o", goBin, "."], { cwd: join(repoRoot(), "bench", "origin", "go"), stdio: "inherit" });
        }
        if (values.vectors !== undefined) {
            const v = execFileSync(goBin, ["-verify", values.vectors], { encoding: "utf8" }).trim();
            console.log(`Kraken lib/hrw baseline against tests/fixtures/kraken-hrw: ${v}`);
        }

        const keyList = [...keys(count)];
        const keyFile = join(work, "keys.txt");
        writeFileSync(keyFile, keyList.join("\n") + "\n");
        process.stderr.write(`placing ${count} keys on 7 origins, best of ${rounds} rounds each...\n`);
        const go = JSON.parse(execFileSync(goBin, ["-keys", keyFile, "-rounds", String(rounds)], { encoding: "utf8" })) as Measured;
        const ts = measureTs("typescript (Go log port)", rendezvousHash(scenarioE, { log: goLog }), keyList, rounds);
        const tsMath = measureTs("typescript (Math.log)", rendezvousHash(scenarioE, { log: Math.log }), keyList, rounds);

        const row = (m: Measured) =>
            `${m.impl.padEnd(26)} ${Math.round(m.keysPerSec).toString().padStart(9)} keys/s  ${m.seconds.toFixed(3)} s  checksum ${m.checksum}`;
        console.log(`placement, 7 origins (scenario E), ${count} keys of 64 hex digits, GetOrderedNodes for all origins:`);
        console.log(row({ ...go, impl: "kraken lib/hrw (Go)" }));
        console.log(row(ts));
        console.log(row(tsMath));
        console.log(
            `ratio typescript / kraken Go: ${(ts.keysPerSec / go.keysPerSec).toFixed(2)}x (Math.log: ${(tsMath.keysPerSec / go.keysPerSec).toFixed(2)}x)`,
        );
        const same = ts.checksum === go.checksum;
        console.log(`same placements as Kraken (checksum of every ordered list): ${same ? "yes" : "NO"}`);

        const a: HrwNode[] = [0, 1, 2].map((i) => ({ label: `origin${i}`, weight: 30000 }));
        movedVsMinimum("add origin3:15000 to 3 x 30000", a, [...a, { label: "origin3", weight: 15000 }], movedKeys);
        // With 3 replicas on 3 origins every origin holds every key, so this re-weight moves nothing.
        movedVsMinimum("re-weight origin2 30000 -> 60000 among 3", a, [a[0], a[1], { label: "origin2", weight: 60000 }], movedKeys);
        const e = scenarioE;
        movedVsMinimum("add a 20000 origin to scenario E (7 origins)", e, [...e, { label: "kraken-origin-master08-sjc1", weight: 20000 }], movedKeys);
        movedVsMinimum(
            "re-weight master04 60000 -> 30000 in scenario E",
            e,
            e.map((n, i) => (i === 3 ? { ...n, weight: 30000 } : n)),
            movedKeys,
        );
        if (!same) process.exitCode = 1;
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

main();
