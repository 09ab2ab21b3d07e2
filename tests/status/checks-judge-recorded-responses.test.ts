/**
 * The status predicates (ops/status/*.ts) over recorded API responses: each fault class is found, its absence
 * passes, and a failed call is "unknown", never "ok". The search bodies are OpenSearch 2.19 answers recorded from
 * the test cluster (tests/search/recorded-opensearch.ts and the ones below); the SQS, EC2 and S3 facts have the
 * shapes the runner builds from the SDK's answers; the host outputs are what `df -P -k -l`, find, systemctl
 * is-active and curl print.
 */
import assert from "node:assert/strict";
import { answered, failed } from "../../ops/status/answer";
import { checkBackups, newestUnits } from "../../ops/status/backups";
import { checkBlessed } from "../../ops/status/controlplane";
import { EXIT, type Finding, type Level, parseOnly, renderHuman, renderJson, statusExitCode, statusReport } from "../../ops/status/findings";
import { checkFleet } from "../../ops/status/fleets";
import { checkHost } from "../../ops/status/hosts";
import { checkOrigin } from "../../ops/status/origin";
import { checkPlatform } from "../../ops/status/platform";
import { checkQueue, type QueueFacts } from "../../ops/status/queues";
import { hostCommand, readHost, readOrigin, readUnits } from "../../ops/status/remote";
import { checkSearch, type SearchFacts, watermarkFraction } from "../../ops/status/search";
import { parseControlPlaneConfig } from "../../ops/controlplane/config";
import { parseCatShards, parseClusterSettings, parseHealth } from "../../ops/search/model";
import { serviceInstances } from "../../ops/platform/layers";
import { parsePlatformConfig, unitFor } from "../../ops/platform/config";
import { osHealthRelocating, osSettingsTransientAndPersistent } from "../search/recorded-opensearch";

const levels = (fs: readonly Finding[], check?: string) => fs.filter((f) => check === undefined || f.check === check).map((f) => `${f.level} ${f.subject}`);
const worst = (fs: readonly Finding[]): Level => (["unknown", "fault", "warn", "ok"] as const).find((l) => fs.some((f) => f.level === l)) ?? "ok";

// Recorded from the test cluster: one index whose primary cannot be placed (red), and the defaults' watermarks.
const redHealth = {
    cluster_name: "dataplat-test",
    status: "red",
    timed_out: false,
    number_of_nodes: 4,
    number_of_data_nodes: 3,
    active_primary_shards: 2,
    active_shards: 4,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: 2,
    delayed_unassigned_shards: 0,
};
const redShards = [
    { index: "logs", shard: "0", prirep: "p", state: "STARTED", node: "backup-a-g0" },
    { index: "logs", shard: "0", prirep: "r", state: "STARTED", node: "spot-a-g0" },
    { index: "coverage-20261201", shard: "0", prirep: "p", state: "UNASSIGNED", node: null },
    { index: "coverage-20261201", shard: "0", prirep: "r", state: "UNASSIGNED", node: null },
];
const cleanSettings = {
    persistent: {},
    transient: {},
    defaults: {
        "cluster.routing.allocation.enable": "all",
        "cluster.routing.allocation.disk.threshold_enabled": "true",
        "cluster.routing.allocation.disk.watermark.low": "85%",
        "cluster.routing.allocation.disk.watermark.high": "90%",
        "cluster.routing.allocation.disk.watermark.flood_stage": "95%",
    },
};

function searchFacts(over: Partial<SearchFacts> = {}): SearchFacts {
    return {
        endpoint: "http://127.0.0.1:9200",
        health: answered(parseHealth({ ...osHealthRelocating, relocating_shards: 0 })),
        settings: answered(parseClusterSettings(cleanSettings)),
        shards: answered(parseCatShards(redShards.slice(0, 2))),
        answeringNode: answered("coordinator-g0"),
        expectedNode: "coordinator-g0",
        disks: answered([{ node: "backup-a-g0", usedBytes: 16, totalBytes: 100 }]),
        coverage: answered([]),
        now: Date.parse("2026-12-01T12:00:00Z"),
        ...over,
    };
}

describe("status checks judge recorded responses", () => {
    describe("search", () => {
        it("a healthy cluster is ok on every line", () => {
            const f = checkSearch(searchFacts());
            assert.equal(worst(f), "ok", JSON.stringify(f, null, 1));
            assert.deepEqual(
                f.map((x) => x.check),
                ["health", "unassigned", "allocation", "exclusions", "endpoint", "disk", "pipeline"],
            );
        });
        it("ETL pipeline: the latest coverage index is today's (UTC), else a warning pointing at the backlogs", () => {
            const day = (iso: string) => Date.parse(iso);
            const today = checkSearch(
                searchFacts({
                    coverage: answered([
                        { index: "coverage-a", createdMs: day("2026-11-30T23:00:00Z") },
                        { index: "coverage-b", createdMs: day("2026-12-01T00:05:00Z") },
                    ]),
                }),
            );
            assert.deepEqual(levels(today, "pipeline"), ["ok coverage"]);
            const stale = checkSearch(searchFacts({ coverage: answered([{ index: "coverage-a", createdMs: day("2026-11-30T23:59:00Z") }]) }));
            assert.deepEqual(levels(stale, "pipeline"), ["warn coverage"]);
            assert.match(stale.find((x) => x.check === "pipeline")!.fix!, /look at the SQS queues/);
            assert.deepEqual(levels(checkSearch(searchFacts({ coverage: failed("timed out") })), "pipeline"), ["unknown coverage"]);
        });
        it("red: a fault, with the unassigned primaries named by index", () => {
            const f = checkSearch(searchFacts({ health: answered(parseHealth(redHealth)), shards: answered(parseCatShards(redShards)) }));
            assert.deepEqual(levels(f, "health"), ["fault cluster"]);
            assert.deepEqual(levels(f, "unassigned"), ["fault coverage-20261201"]);
            assert.match(f.find((x) => x.check === "unassigned")!.detail, /1 primary and 1 replica\(s\) unassigned/);
            assert.match(f.find((x) => x.check === "health")!.fix!, /Emergency Procedures/);
        });
        it("exclusions and allocation.enable left behind are found, each filter named", () => {
            const settings = parseClusterSettings({
                ...osSettingsTransientAndPersistent,
                transient: { ...osSettingsTransientAndPersistent.transient, "cluster.routing.allocation.enable": "none" },
            });
            const f = checkSearch(searchFacts({ settings: answered(settings) }));
            assert.deepEqual(levels(f, "allocation"), ["fault cluster"]);
            assert.match(f.find((x) => x.check === "allocation")!.detail, /"none" \(transient\)/);
            // The transient _name list shadows the persistent one, as the engine reads it.
            assert.deepEqual(
                f.filter((x) => x.check === "exclusions").map((x) => x.detail.split(" (")[0]),
                ["cluster.routing.allocation.exclude._name excludes old-node-g3", "cluster.routing.allocation.exclude.zone excludes spot"],
            );
            assert.ok(f.filter((x) => x.check === "exclusions").every((x) => x.level === "warn"));
        });
        it("the status endpoint stalls: a warning when a query still answers, unknown when nothing does", () => {
            const stalled = checkSearch(searchFacts({ health: failed("GET /_cluster/health: timed out after 15000 ms"), query: answered({ tookMs: 12 }) }));
            assert.deepEqual(levels(stalled, "health"), ["warn cluster"]);
            assert.match(stalled[0]!.fix!, /wait a bit/);
            const down = checkSearch(
                searchFacts({
                    health: failed("ECONNREFUSED"),
                    query: failed("ECONNREFUSED"),
                    settings: failed("ECONNREFUSED"),
                    shards: failed("ECONNREFUSED"),
                    answeringNode: failed("ECONNREFUSED"),
                    disks: failed("ECONNREFUSED"),
                    coverage: failed("ECONNREFUSED"),
                }),
            );
            assert.ok(
                down.every((x) => x.level === "unknown"),
                JSON.stringify(down),
            );
            assert.match(down[0]!.fix!, /bounce the coordinator/);
        });
        it("another node answering the admin endpoint is a warning", () => {
            assert.deepEqual(levels(checkSearch(searchFacts({ answeringNode: answered("spot-3-g0") })), "endpoint"), ["warn http://127.0.0.1:9200"]);
        });
        it("disk against the watermarks: low warns, high and flood stage are faults; percent, ratio and free-bytes forms", () => {
            const disks = answered([
                { node: "a", usedBytes: 50, totalBytes: 100 },
                { node: "b", usedBytes: 86, totalBytes: 100 },
                { node: "c", usedBytes: 91, totalBytes: 100 },
                { node: "d", usedBytes: 96, totalBytes: 100 },
            ]);
            assert.deepEqual(levels(checkSearch(searchFacts({ disks })), "disk"), ["ok a", "warn b", "fault c", "fault d"]);
            assert.equal(watermarkFraction("0.85", 100), 0.85);
            assert.equal(watermarkFraction("10gb", 100 * 1024 ** 3), 0.9);
            const off = parseClusterSettings({ ...cleanSettings, transient: { "cluster.routing.allocation.disk.threshold_enabled": "false" } });
            assert.deepEqual(levels(checkSearch(searchFacts({ settings: answered(off), disks })), "disk"), ["warn cluster"]);
            assert.deepEqual(levels(checkSearch(searchFacts({ settings: failed("timed out"), disks })), "disk"), ["unknown cluster"]);
        });
    });

    describe("queues", () => {
        const q = (over: Partial<QueueFacts>): QueueFacts => ({
            name: "tc-logger",
            dataLossAfterSeconds: 1800,
            alarmAtFraction: 0.25,
            depth: answered({ visible: 3, inFlight: 0 }),
            oldestAgeSeconds: answered(60),
            deadLetters: answered({ queue: "tc-logger-dlq", messages: 0 }),
            ...over,
        });
        it("a young backlog and an empty dead-letter queue are ok", () => assert.equal(worst(checkQueue(q({}))), "ok"));
        it("age against the time to data loss: past the alarm threshold warns, past half of it is a fault", () => {
            assert.deepEqual(levels(checkQueue(q({ oldestAgeSeconds: answered(600) })), "age"), ["warn tc-logger"]);
            assert.deepEqual(levels(checkQueue(q({ oldestAgeSeconds: answered(1000) })), "age"), ["fault tc-logger"]);
            assert.deepEqual(levels(checkQueue(q({ dataLossAfterSeconds: 14 * 86400, oldestAgeSeconds: answered(8 * 86400) })), "age"), ["fault tc-logger"]);
            assert.match(checkQueue(q({ oldestAgeSeconds: answered(1000) }))[1]!.detail, /16.7 min old|17 min old/);
        });
        it("dead letters are found", () => {
            const f = checkQueue(q({ deadLetters: answered({ queue: "tc-logger-dlq", messages: 4 }) }));
            assert.deepEqual(levels(f, "dead-letters"), ["warn tc-logger"]);
            assert.match(f.find((x) => x.check === "dead-letters")!.detail, /4 message\(s\) in tc-logger-dlq/);
        });
        it("messages without an age datapoint, or a failed call, are unknown, never ok", () => {
            assert.deepEqual(levels(checkQueue(q({ oldestAgeSeconds: answered(null) })), "age"), ["unknown tc-logger"]);
            assert.deepEqual(levels(checkQueue(q({ depth: answered({ visible: 0, inFlight: 0 }), oldestAgeSeconds: answered(null) })), "age"), [
                "ok tc-logger",
            ]);
            assert.ok(
                checkQueue(q({ depth: failed("AccessDenied"), oldestAgeSeconds: failed("x"), deadLetters: failed("x") })).every((x) => x.level === "unknown"),
            );
        });
    });

    describe("spot fleets", () => {
        const fleet = {
            fleetId: "fleet-1",
            state: "active",
            type: "maintain",
            targetCapacity: 12,
            templateId: "lt-1",
            version: "1",
            weights: { "c5.xlarge": 4, "c5.2xlarge": 8 },
        };
        const inst = (id: string, type: string, state = "running") => ({ id, type, state, launchTime: 0 });
        const base = {
            name: "etl",
            fleetId: "fleet-1",
            maxPercentPerType: 0.7,
            budget: 1,
            spendCeiling: 2,
            prices: { "c5.xlarge": 0.068, "c5.2xlarge": 0.135 },
        };
        it("fulfilled, mixed under the cap and within budget: ok", () => {
            const f = checkFleet({ ...base, fleet: answered({ state: fleet, instances: [inst("i-1", "c5.xlarge"), inst("i-2", "c5.2xlarge")] }) });
            assert.equal(worst(f), "ok", JSON.stringify(f));
        });
        it("unfulfilled capacity, a type over maxPercentPerType, spend over budget and ceiling", () => {
            const one = checkFleet({
                ...base,
                fleet: answered({ state: fleet, instances: [inst("i-1", "c5.xlarge"), inst("i-2", "c5.xlarge", "terminated")] }),
            });
            assert.deepEqual(levels(one, "capacity"), ["warn etl (fleet-1)"]);
            assert.deepEqual(levels(one, "mix"), ["warn etl (fleet-1)"]);
            const dear = checkFleet({
                ...base,
                budget: 0.1,
                spendCeiling: 0.15,
                fleet: answered({ state: fleet, instances: [inst("i-1", "c5.xlarge"), inst("i-2", "c5.2xlarge")] }),
            });
            assert.deepEqual(levels(dear, "spend"), ["fault etl (fleet-1)"]);
            const over = checkFleet({
                ...base,
                budget: 0.15,
                fleet: answered({ state: fleet, instances: [inst("i-1", "c5.xlarge"), inst("i-2", "c5.2xlarge")] }),
            });
            assert.deepEqual(levels(over, "spend"), ["warn etl (fleet-1)"]);
        });
        it("a deleted or unknown fleet is a fault; a failed call or an unpriced type is unknown", () => {
            assert.deepEqual(levels(checkFleet({ ...base, fleet: answered({ state: undefined, instances: [] }) })), ["fault etl (fleet-1)"]);
            assert.deepEqual(levels(checkFleet({ ...base, fleet: answered({ state: { ...fleet, state: "deleted_running" }, instances: [] }) })), [
                "fault etl (fleet-1)",
            ]);
            assert.deepEqual(levels(checkFleet({ ...base, fleet: failed("UnauthorizedOperation") })), ["unknown etl (fleet-1)"]);
            assert.deepEqual(levels(checkFleet({ ...base, prices: {}, fleet: answered({ state: fleet, instances: [inst("i-1", "c5.xlarge")] }) }), "spend"), [
                "unknown etl (fleet-1)",
            ]);
        });
    });

    describe("origin", () => {
        const expected = "hashstate:\n  h1:\n    label: origin0\n    weight: 100\nreplicas: 3\n";
        const facts = (stdout: string) => ({
            host: "h1",
            address: "10.0.0.1",
            healthUrl: "http://127.0.0.1:15002/health",
            configPath: "/etc/kraken/origin/hashstate.yaml",
            expectedConfig: expected,
            reading: answered(readOrigin(stdout)),
        });
        it("healthy with the config's hashstate: ok", () => assert.equal(worst(checkOrigin(facts(`health=200\n@@dataplat-status\n${expected}`))), "ok"));
        it("an unhealthy origin, another hashstate, or no ring file are faults", () => {
            assert.deepEqual(levels(checkOrigin(facts(`health=000\n@@dataplat-status\n${expected}`)), "health"), ["fault h1"]);
            assert.deepEqual(levels(checkOrigin(facts(`health=503\n@@dataplat-status\n${expected}`)), "health"), ["fault h1"]);
            assert.deepEqual(levels(checkOrigin(facts(`health=200\n@@dataplat-status\n${expected.replace("100", "50")}`)), "hashstate"), ["fault h1"]);
            assert.deepEqual(levels(checkOrigin(facts("health=200\n@@dataplat-status\n@@dataplat-status-no-config\n")), "hashstate"), ["fault h1"]);
        });
        it("an unreadable answer is an error, and an unreachable origin unknown", () => {
            assert.throws(() => readOrigin("Welcome to the machine\n"), /not the output of the status command/);
            assert.deepEqual(levels(checkOrigin({ ...facts(`health=200\n@@dataplat-status\n${expected}`), reading: failed("Connection refused") })), [
                "unknown h1",
            ]);
        });
    });

    describe("platform", () => {
        const config = parsePlatformConfig({
            ssh: { user: "ec2-user", port: 22 },
            hosts: [
                { name: "m1", instanceType: "m6i.large", availabilityZone: "a" },
                { name: "w1", instanceType: "m6i.large", availabilityZone: "a" },
                { name: "w2", instanceType: "m6i.large", availabilityZone: "a" },
            ],
            services: {
                postgres: "m1",
                zookeeper: ["m1"],
                journalnodes: ["m1"],
                namenodes: ["m1"],
                datanodes: ["w1", "w2"],
                resourcemanagers: ["m1"],
                nodemanagers: ["w1", "w2"],
                accumuloMasters: ["m1"],
                tabletServers: ["w1", "w2"],
                accumuloMonitor: "m1",
                accumuloGc: "m1",
                applicationServer: "m1",
                webApp: "m1",
            },
        });
        const instances = serviceInstances(config).map((i) => ({ ...i, unit: unitFor(config, i.service) }));
        const statesWith = (down: Record<string, string>) =>
            new Map(
                ["m1", "w1", "w2"].map((h) => [
                    h,
                    answered(
                        new Map(instances.filter((i) => i.host === h).map((i) => [i.unit, down[`${i.service}@${h}`] ?? "active"])) as ReadonlyMap<
                            string,
                            string
                        >,
                    ),
                ]),
            );
        it("every service active: ok", () => assert.equal(worst(checkPlatform({ instances, states: statesWith({}) })), "ok"));
        it("a layer running while a layer below is down is a fault in the run book's order; a lost worker only warns", () => {
            const f = checkPlatform({ instances, states: statesWith({ "zookeeper@m1": "inactive" }) });
            assert.deepEqual(levels(f, "order"), ["fault layer 2", "fault layer 3", "fault layer 4"]);
            assert.match(f.find((x) => x.check === "order")!.detail, /Data Storage Layer runs .* while Coordination Layer below it is down \(zookeeper@m1\)/);
            const worker = checkPlatform({ instances, states: statesWith({ "datanode@w2": "failed" }) });
            assert.deepEqual(
                worker.filter((x) => x.level !== "ok").map((x) => `${x.level} ${x.subject}`),
                ["warn datanode@w2"],
            );
        });
        it("stopped top-down (upper layers down, lower ones up) is no order fault", () => {
            const f = checkPlatform({ instances, states: statesWith({ "koverse-server@m1": "inactive", "koverse-webapp@m1": "inactive" }) });
            assert.deepEqual(levels(f, "order"), []);
        });
        it("an unreachable host makes its services unknown; systemctl's answer is read unit by unit", () => {
            const states = statesWith({});
            states.set("m1", failed("Connection refused"));
            assert.ok(
                checkPlatform({ instances, states })
                    .filter((x) => x.subject.endsWith("@m1"))
                    .every((x) => x.level === "unknown"),
            );
            assert.deepEqual(
                [...readUnits(["a", "b"], "active\ninactive\n")],
                [
                    ["a", "active"],
                    ["b", "inactive"],
                ],
            );
            assert.throws(() => readUnits(["a", "b"], "active\n"), /1 states for 2 units/);
        });
    });

    describe("control plane", () => {
        const cp = (hosts: string[]) =>
            parseControlPlaneConfig({
                headnode: { name: "headnode", instanceType: "m6i.large", availabilityZone: "a" },
                computeNodes: [
                    { name: "cn-1", instanceType: "m6i.large", availabilityZone: "b" },
                    { name: "cn-2", instanceType: "m6i.large", availabilityZone: "c" },
                ],
                essentials: { binder: { hosts }, manatee: { hosts }, moray: { hosts } },
                backup: { periodMinutes: 60 },
            });
        it("blessed is ok; not blessed is a fault in prod and a warning elsewhere", () => {
            assert.deepEqual(levels(checkBlessed(cp(["headnode", "cn-1", "cn-2"]), "prod")), ["ok essentials"]);
            assert.deepEqual(levels(checkBlessed(cp(["headnode"]), "prod")), ["fault essentials"]);
            assert.deepEqual(levels(checkBlessed(cp(["headnode"]), "staging")), ["warn essentials"]);
        });
        it("backups: the newest complete unit per root against the maximum age; none, or a failed listing", () => {
            const now = Date.parse("2026-12-01T12:00:00Z");
            const objects = [
                { key: "koverse/prod/postgres/koverse/20261201T100000.000000000Z-master-3/MANIFEST", lastModified: now - 2 * 3600_000 },
                { key: "koverse/prod/accumulo/20261129T100000.000000000Z-master-1/MANIFEST", lastModified: now - 50 * 3600_000 },
                // A unit still uploading (no MANIFEST yet) does not count.
                { key: "koverse/prod/accumulo/20261201T110000.000000000Z-master-1/kv_a.tar", lastModified: now - 3600_000 },
            ];
            const b = { section: "platform" as const, subject: "koverse", bucket: "b", prefix: "koverse/prod", maxAgeMinutes: 1440 };
            assert.deepEqual([...newestUnits("koverse/prod", objects).keys()].sort(), ["accumulo", "postgres/koverse"]);
            assert.deepEqual(levels(checkBackups({ ...b, objects: answered(objects) }, now)), ["fault koverse accumulo", "ok koverse postgres/koverse"]);
            assert.deepEqual(levels(checkBackups({ ...b, objects: answered([]) }, now)), ["fault koverse"]);
            assert.deepEqual(levels(checkBackups({ ...b, objects: failed("AccessDenied") }, now)), ["unknown koverse"]);
        });
    });

    describe("hosts", () => {
        const df =
            "Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda 264212084 15250252 80251012 16% /\n/dev/vdb 1000 950 50 95% /data 1\ntmpfs 0 0 0 0% /dev/shm\n";
        it("reads df and the crash dumps; a full disk is a fault, crash dumps a warning", () => {
            const r = readHost(`${df}@@dataplat-status\n5368709120 /usr/local/elasticsearch/java_pid1.hprof\n`);
            assert.deepEqual(
                r.fileSystems.map((f) => [f.mount, f.usedFraction]),
                [
                    ["/", 0.16],
                    ["/data 1", 0.95],
                ],
            );
            const f = checkHost({ host: "search/spot-1", address: "10.0.0.1", reading: answered(r) });
            assert.deepEqual(
                f.map((x) => `${x.level} ${x.check}`),
                ["fault disk", "warn crash-dumps"],
            );
            assert.match(f[1]!.fix!, /sudo rm \/usr\/local\/elasticsearch\/\*\.hprof/);
        });
        it("under the thresholds and no dumps: ok; unreachable: unknown; not our output: an error", () => {
            assert.equal(
                worst(checkHost({ host: "h", address: "a", reading: answered(readHost(`${df.split("\n").slice(0, 2).join("\n")}\n@@dataplat-status\n`)) })),
                "ok",
            );
            assert.deepEqual(levels(checkHost({ host: "h", address: "a", reading: failed("timed out") })), ["unknown h"]);
            assert.throws(() => readHost("bash: df: command not found\n"), /separator/);
            assert.match(hostCommand(["/it's"]), /'\/it'\\''s'/);
        });
    });

    describe("the report", () => {
        const f = (level: Level): Finding => ({ section: "queues", check: "age", subject: "q", level, detail: "d", ...(level === "ok" ? {} : { fix: "x" }) });
        it("exit codes: 0 ok, 1 warnings, 2 faults, 3 when anything could not be checked (or nothing was)", () => {
            assert.equal(statusExitCode([f("ok")]), EXIT.ok);
            assert.equal(statusExitCode([f("ok"), f("warn")]), EXIT.warnings);
            assert.equal(statusExitCode([f("warn"), f("fault")]), EXIT.faults);
            assert.equal(statusExitCode([f("fault"), f("unknown")]), EXIT.couldNotRun);
            assert.equal(statusExitCode([]), EXIT.couldNotRun);
        });
        it("--only: known sections, or the unknown names", () => {
            assert.deepEqual(parseOnly("queues, search"), { sections: ["queues", "search"] });
            assert.deepEqual(parseOnly("search,disks"), { unknown: ["disks"] });
            assert.equal((parseOnly(undefined) as { sections: string[] }).sections.length, 7);
        });
        it("the JSON shape is stable; the table groups by section with what to do under each fault", () => {
            const r = statusReport(
                "prod",
                Date.parse("2026-12-01T00:00:00Z"),
                ["search", "queues"],
                [f("fault"), { ...f("ok"), section: "search", check: "health" }],
            );
            assert.deepEqual(Object.keys(JSON.parse(renderJson(r))), ["stack", "checkedAt", "sections", "exitCode", "counts", "findings"]);
            assert.deepEqual(Object.keys(r.findings[1]!), ["section", "check", "subject", "level", "detail", "fix"]);
            assert.deepEqual(
                r.findings.map((x) => x.section),
                ["search", "queues"],
            );
            assert.equal(
                renderHuman(r),
                [
                    "status of stack prod at 2026-12-01T00:00:00.000Z",
                    "",
                    "== search",
                    "ok  health  q  d",
                    "",
                    "== queues",
                    "FAULT  age  q  d",
                    "       -> x",
                    "",
                    "1 ok, 0 warning(s), 1 fault(s), 0 could not be checked: exit 2",
                    "",
                ].join("\n"),
            );
        });
    });
});
