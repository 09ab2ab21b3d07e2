// The search CLI's flag grammar (ops/search/flags.ts) is the program's own: node names exactly as searchNodeName
// builds them from config-valid names, byte rates and zone attributes exactly as the config schema accepts them.
// Every refusal is a usage failure (exit 64) naming the flag; the command builders refuse what the CLI would refuse,
// so every string the program registers parses; and each request's time is bounded by the command's deadline.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { AFTER_DEADLINE_MS, DEADLINE_SLACK_MS, requestBudget } from "../../ops/search/requests";
import {
    SEARCH_CLI,
    bounceCommand,
    drainCommand,
    excludeSpotCommand,
    healthCommand,
    searchNodeName,
    undrainCommand,
    waitJoinedCommand,
} from "../../ops/search/commands";
import { SearchClusterConfig, SearchNodeConfig } from "../../ops/search/schema";
import { EXIT_CODES, OpsFailure, exitCodeOf } from "../../ops/search/failures";
import {
    SEARCH_COMMANDS,
    byteRateProblem,
    nodeNameProblem,
    parseSearchArgs,
    redactEndpoint,
    timeoutProblem,
    unknownNodeRefusal,
    usageText,
    zoneAttributeProblem,
    zoneValueProblem,
} from "../../ops/search/flags";

const ENDPOINT = "http://127.0.0.1:9200";

/** The argv bash gives the CLI for a command string. */
function argvOf(script: string): string[] {
    // A leading shellcheck directive (a comment line) is not part of the command.
    const command = script.replace(/^#[^\n]*\n/, "");
    assert.ok(command.startsWith(`${SEARCH_CLI} `), command);
    return execFileSync("bash", ["-c", `printf '%s\\0'${command.slice(SEARCH_CLI.length)}`], { encoding: "utf8" })
        .split("\0")
        .slice(0, -1);
}

/** Asserts that parsing `argv` is a usage failure (exit 64) whose message matches every pattern. */
function refused(argv: string[], ...patterns: RegExp[]): void {
    assert.throws(
        () => parseSearchArgs(argv, ENDPOINT),
        (e: unknown) => {
            assert.ok(e instanceof OpsFailure && e.kind === "usage", String(e));
            assert.equal(exitCodeOf(e), 64);
            for (const p of patterns) assert.match(e.message, p);
            return true;
        },
    );
}

/** Whether the config schema accepts a search section with `patch` applied. */
function configAccepts(patch: Record<string, unknown>): boolean {
    const base = {
        clusterName: "c",
        engine: { distribution: "opensearch", version: "2.19.0" },
        backupNodes: [{ name: "b", instanceType: "m", heap: "1g", volumeSizeGiB: 8 }],
    };
    return SearchClusterConfig.safeParse({ ...base, ...patch }).success;
}

const configName = fc.stringMatching(/^[a-z][a-z0-9-]{0,40}$/).filter((n) => SearchNodeConfig.shape.name.safeParse(n).success);
const generation = fc.nat({ max: 1_000_000 });
const EVIL = [`backup-1-g0'; touch /tmp/x; '`, "$(touch /tmp/x)", "backup-1-g0; touch /tmp/x", `"backup-1-g0"`, "`id`", "backup-1-g0 ", "backup-1-g0\n"];

describe("search CLI flags: the program's own grammar", () => {
    it("usage failures exit 64, distinct from the ready command's 2 for a CLI that is not built", () => {
        assert.equal(EXIT_CODES.usage, 64);
        assert.ok(!Object.values(EXIT_CODES).includes(2));
    });

    it("a node name is exactly what searchNodeName makes of a config-valid name and generation", () => {
        fc.assert(
            fc.property(configName, generation, (name, g) => assert.equal(nodeNameProblem(searchNodeName(name, g)), undefined)),
            { numRuns: 300 },
        );
        // And nothing else: whatever passes splits into a name the config accepts and a generation.
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z0-9-]{1,12}-g[0-9]{1,3}$/), (value) => {
                const m = /^(.*)-g(\d+)$/.exec(value)!;
                const program = SearchNodeConfig.shape.name.safeParse(m[1]).success && searchNodeName(m[1]!, Number(m[2])) === value;
                assert.equal(nodeNameProblem(value) === undefined, program, value);
            }),
            { numRuns: 500 },
        );
        for (const bad of ["backup-x", "backup-1-g", "Backup-1-g0", "backup-1-g01", "backup-g1-g0", "1backup-g0", "", "-g0", ...EVIL]) {
            assert.match(nodeNameProblem(bad) ?? "accepted", /<config name>-g<generation>/, JSON.stringify(bad));
        }
    });

    it("byte rates and zone attributes are what the config schema accepts", () => {
        for (const v of ["250mb", "200mb", "1gb", "0b", "512kb", "250MB", "250 mb", "250", "mb", "1.5gb", "1tb", "-1mb", "$(x)"]) {
            assert.equal(byteRateProblem(v) === undefined, configAccepts({ drain: { maxBytesPerSec: v } }), v);
        }
        for (const v of ["zone", "pool_2", "_x", "Zone", "2zone", "zone-a", "", "zone;x", "$(x)"]) {
            assert.equal(zoneAttributeProblem(v) === undefined, configAccepts({ zones: { attribute: v } }), v);
        }
    });

    it("zone values: what the config allows, less what changes meaning in an exclusion list", () => {
        for (const v of ["spot", "reliable", "us-east-1a"]) assert.equal(zoneValueProblem(v), undefined, v);
        for (const [v, why] of [
            ["", /empty/],
            ["spot,reliable", /comma/],
            ["sp*", /wildcard/],
            [" spot", /space/],
            ["spot\n", /space|control/],
            ["sp\u0007ot", /control/],
        ] as const) {
            assert.match(zoneValueProblem(v) ?? "accepted", why, JSON.stringify(v));
        }
    });

    it("timeouts are whole seconds from 1 to 7 days", () => {
        for (const v of ["1", "10", "3600", "604800"]) assert.equal(timeoutProblem(v), undefined, v);
        for (const v of ["0", "-1", "1.5", "1e3", " 10", "10s", "010", "604801", "99999999999", ""]) assert.ok(timeoutProblem(v), v);
    });

    it("every refusal names the flag, the value and what is expected", () => {
        refused(["drain", "--node", "backup-x", "--timeout", "10"], /--node "backup-x"/, /<config name>-g<generation>/);
        refused(["drain", "--node", "b-g0", "--timeout", "10", "--max-bytes-per-sec", "fast"], /--max-bytes-per-sec "fast"/, /such as 250mb/);
        refused(["drain", "--node", "b-g0", "--timeout", "ten"], /--timeout "ten"/, /whole number of seconds/);
        refused(["drain", "--node", "b-g0", "--timeout", "10", "--recoveries", "65"], /--recoveries "65"/, /1 to 64/);
        refused(["drain", "--node", "b-g0", "--timeout", "10", "--zone-attribute", "Zone"], /--zone-attribute "Zone"/);
        refused(["undrain", "--node", "b-g0", "--spot-zone", "a,b"], /--spot-zone "a,b"/, /comma/);
        refused(["bounce", "--node", "b-g0", "--restart", "x", "--timeout", "9", "--allocation", "all"], /--allocation "all"/, /primaries or none/);
        refused(["health", "--status", "blue"], /--status "blue"/, /green, yellow or red/);
        refused(["drain", "--timeout", "10"], /drain needs --node/);
        refused(["undrain", "--node", "b-g0", "--timeout", "10"], /undrain does not take --timeout/);
        refused(["health", "--node", "b-g0"], /health does not take --node/);
        refused(["drain", "--node", "b-g0", "--node", "c-g0", "--timeout", "10"], /--node is given twice/);
        refused(["drain", "--node", "b-g0", "--timeout", "10", "--nodes", "x"], /--nodes/);
        refused(["drian"], /unknown command "drian"/, /drain, undrain/);
        refused([], /no command/);
        refused(["health", "extra"], /extra/);
        for (const evil of EVIL)
            refused(["drain", "--node", evil, "--timeout", "10"], new RegExp(`--node ${JSON.stringify(evil).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    });

    it("needs an endpoint, and never repeats its password when refusing it", () => {
        assert.throws(
            () => parseSearchArgs(["health"], undefined),
            (e: unknown) => exitCodeOf(e) === 64 && /SEARCH_ENDPOINT/.test((e as Error).message),
        );
        for (const endpoint of ["ftp://ops:hunter2@host:21", "ops:hunter2@host:9200", "http://ops:hun@ter2@host:9200/?x=1"]) {
            assert.throws(
                () => parseSearchArgs(["health", "--endpoint", endpoint]),
                (e: unknown) => exitCodeOf(e) === 64 && /--endpoint/.test((e as Error).message) && !/hunter2|ter2/.test((e as Error).message),
                endpoint,
            );
            assert.throws(
                () => parseSearchArgs(["health"], endpoint),
                (e: unknown) => /\$SEARCH_ENDPOINT/.test((e as Error).message) && !/hunter2|ter2/.test((e as Error).message),
            );
        }
        assert.equal(redactEndpoint("https://ops:p@ss/w@rd@host:9200"), "https://***@host:9200");
        assert.equal(parseSearchArgs(["health"], "https://ops:pw@host:9200").command, "health");
    });

    it("--help (anywhere) and help ask for the usage text, which shows each command with exactly the flags it takes", () => {
        for (const argv of [["--help"], ["-h"], ["help"], ["drain", "--help"]]) assert.deepEqual(parseSearchArgs(argv), { command: "help" });
        const usage = usageText();
        const flags = [
            "node",
            "timeout",
            "spot-zone",
            "zone-attribute",
            "recoveries",
            "max-bytes-per-sec",
            "keep-exclusion-on-failure",
            "absent-ok",
            "restart",
            "allocation",
            "status",
        ];
        const sample: Record<string, string[]> = {
            node: ["b-g0"],
            timeout: ["5"],
            "spot-zone": ["spot"],
            "zone-attribute": ["zone"],
            recoveries: ["4"],
            "max-bytes-per-sec": ["250mb"],
            restart: ["true"],
            allocation: ["none"],
            status: ["yellow"],
        };
        for (const command of SEARCH_COMMANDS) {
            const line = usage.split("\n").find((l) => l.startsWith(`  ${command} `));
            assert.ok(line, `usage lists ${command}`);
            for (const f of flags) {
                const listed = new RegExp(`--${f}\\b(?!-)`).test(line);
                // Accepted by the parser: the flag is not refused as one the command does not take.
                let taken = true;
                try {
                    parseSearchArgs([command, `--${f}`, ...(sample[f] ?? [])], ENDPOINT);
                } catch (e) {
                    if (new RegExp(`does not take --${f}`).test((e as Error).message)) taken = false;
                }
                assert.equal(listed, taken, `${command} --${f}: listed ${listed}, taken ${taken}`);
            }
        }
        assert.match(usage, /64 +bad usage/);
    });

    it("parses each command into its typed invocation", () => {
        assert.deepEqual(
            parseSearchArgs(
                [
                    "drain",
                    "--node",
                    "backup-1-g3",
                    "--timeout",
                    "600",
                    "--spot-zone",
                    "spot",
                    "--recoveries",
                    "6",
                    "--max-bytes-per-sec",
                    "500mb",
                    "--absent-ok",
                ],
                ENDPOINT,
            ),
            {
                command: "drain",
                endpoint: ENDPOINT,
                node: "backup-1-g3",
                timeoutSeconds: 600,
                spotZone: "spot",
                zoneAttribute: undefined,
                recoveries: 6,
                maxBytesPerSec: "500mb",
                keepExclusionOnFailure: false,
                absentOk: true,
            },
        );
        assert.deepEqual(parseSearchArgs(["health", "--endpoint", "http://h:1"]), {
            command: "health",
            endpoint: "http://h:1",
            status: "green",
            timeoutSeconds: undefined,
        });
    });

    it("the builders refuse what the CLI refuses, and every string they build parses", () => {
        for (const evil of EVIL) {
            assert.throws(
                () => drainCommand({ node: evil, timeoutSeconds: 60 }),
                (e: unknown) => e instanceof RangeError && /drain command: --node/.test(e.message),
            );
            assert.throws(() => undrainCommand({ node: evil }), RangeError);
            assert.throws(() => bounceCommand({ node: evil, restart: "true", timeoutSeconds: 60 }), RangeError);
        }
        assert.throws(() => drainCommand({ node: "b-g0", timeoutSeconds: 60, maxBytesPerSec: "250MB" }), /--max-bytes-per-sec "250MB"/);
        assert.throws(() => excludeSpotCommand({ spotZone: "spot,reliable" }), /--spot-zone/);
        assert.throws(() => waitJoinedCommand({ node: "b-g0", timeoutSeconds: 8 * 86400 }), RangeError);
        fc.assert(
            fc.property(
                configName,
                generation,
                fc.integer({ min: 1, max: 7 * 86400 }),
                fc.constantFrom(undefined, "spot", "us-east-1a"),
                fc.integer({ min: 1, max: 64 }),
                (name, g, t, spotZone, recoveries) => {
                    const node = searchNodeName(name, g);
                    for (const cmd of [
                        drainCommand({
                            node,
                            timeoutSeconds: t,
                            spotZone,
                            zoneAttribute: "zone",
                            nodeConcurrentRecoveries: recoveries,
                            maxBytesPerSec: "250mb",
                        }),
                        undrainCommand({ node, spotZone }),
                        waitJoinedCommand({ node, timeoutSeconds: t }),
                        bounceCommand({ node, restart: `ssh ec2-user@10.0.0.7 'sudo x'`, timeoutSeconds: t, allocation: "none" }),
                        healthCommand({ status: "yellow", timeoutSeconds: t }),
                    ]) {
                        const run = parseSearchArgs(argvOf(cmd), ENDPOINT);
                        if ("node" in run) assert.equal(run.node, node);
                    }
                },
            ),
            { numRuns: 25 },
        );
    });
});

describe("unknown nodes: an error unless --absent-ok", () => {
    const clusterNodes = ["cm-g0", "backup-a-g0", "backup-b-g0"];
    it("refuses a drain or undrain of a node the cluster does not know, naming the nodes it does know", () => {
        const msg = unknownNodeRefusal({ command: "drain", node: "backup-c-g0", clusterNodes, absentOk: false });
        assert.match(msg ?? "", /node backup-c-g0 is not in the cluster \(nodes in the cluster: backup-a-g0, backup-b-g0, cm-g0\)/);
        assert.match(msg ?? "", /--absent-ok/);
        assert.match(
            unknownNodeRefusal({ command: "undrain", node: "backup-c-g0", clusterNodes, excluded: ["other-g1"], absentOk: false }) ?? "",
            /no allocation exclusion names it/,
        );
    });
    it("accepts a node in the cluster, an undrain of a node its exclusion names, and any node with --absent-ok", () => {
        assert.equal(unknownNodeRefusal({ command: "drain", node: "backup-a-g0", clusterNodes, absentOk: false }), undefined);
        assert.equal(unknownNodeRefusal({ command: "undrain", node: "gone-g0", clusterNodes, excluded: ["gone-g0"], absentOk: false }), undefined);
        assert.ok(
            unknownNodeRefusal({ command: "drain", node: "gone-g0", clusterNodes, excluded: ["gone-g0"], absentOk: false }),
            "an exclusion does not make a drain's node present",
        );
        assert.equal(unknownNodeRefusal({ command: "drain", node: "gone-g0", clusterNodes, absentOk: true }), undefined);
    });
});

describe("request time is bounded by the command's deadline", () => {
    const now = 1_000_000;
    it("without a deadline: the cap plus the long-poll wait", () => {
        assert.deepEqual(requestBudget({ now, capMs: 30_000, waitSeconds: 5 }), { timeoutMs: 35_000, waitSeconds: 5, byDeadline: false });
    });
    it("before the deadline: never past the time left (plus the slack for an answer at the deadline), the wait cut to it", () => {
        assert.deepEqual(requestBudget({ now, deadline: now + 10_000, capMs: 30_000 }), {
            timeoutMs: 10_000 + DEADLINE_SLACK_MS,
            waitSeconds: 0,
            byDeadline: true,
        });
        assert.deepEqual(requestBudget({ now, deadline: now + 4_500, capMs: 30_000, waitSeconds: 30 }), {
            timeoutMs: 4_500 + DEADLINE_SLACK_MS,
            waitSeconds: 4,
            byDeadline: true,
        });
        assert.deepEqual(requestBudget({ now, deadline: now + 600_000, capMs: 30_000, waitSeconds: 30 }), {
            timeoutMs: 60_000,
            waitSeconds: 30,
            byDeadline: false,
        });
        assert.equal(requestBudget({ now, deadline: now + 300, capMs: 30_000, waitSeconds: 1 }).waitSeconds, 0, "no server wait outlasts the deadline");
    });
    it("after the deadline (cleanup): a short budget of its own, never nothing", () => {
        assert.deepEqual(requestBudget({ now, deadline: now - 1, capMs: 30_000, waitSeconds: 30 }), {
            timeoutMs: AFTER_DEADLINE_MS,
            waitSeconds: 0,
            byDeadline: false,
        });
        assert.equal(requestBudget({ now, deadline: now - 1, capMs: 300 }).timeoutMs, 300);
    });
});

describe("the search config refuses zone values the CLI would refuse", () => {
    it("a comma or * in zones.* or a node's zone is a config error with its path, before any command string is built", () => {
        const base = {
            clusterName: "a",
            engine: { distribution: "opensearch", version: "2.19.1" },
            coordinator: { name: "c", heap: "1g" },
            backupNodes: [{ name: "b", instanceType: "r6i.large", heap: "1g", volumeSizeGiB: 10 }],
        };
        assert.equal(SearchClusterConfig.safeParse(base).success, true);
        const bad = SearchClusterConfig.safeParse({ ...base, zones: { spot: "spot,reliable" }, backupNodes: [{ ...base.backupNodes[0], zone: "r*" }] });
        assert.equal(bad.success, false);
        assert.deepEqual(
            bad.error!.issues.map((i) => i.path.join(".")),
            ["zones.spot", "backupNodes.0.zone"],
        );
        assert.match(bad.error!.issues[0]!.message, /comma, which would exclude two zones/);
    });
});
