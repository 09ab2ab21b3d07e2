// Every section reads its `deployed.<section>` snapshot through one reader with a schema: absent is a first
// deployment, readable is compared, anything else is a refusal that names the section and what to do. The
// schemas accept exactly what define() records (round trip through a real evaluation of the prod stack).
import assert from "node:assert/strict";
import { parseStackConfig } from "../../ops/config/parse";
import type { StackConfig } from "../../ops/config/schema";
import {
    controlPlaneSnapshotSchema,
    originSnapshotSchema,
    platformSnapshotSchema,
    searchSnapshotSchema,
    spotFleetsSnapshotSchema,
} from "../../ops/state/schemas";
import { readSnapshot, snapshotValue } from "../../ops/state/snapshot";
import type { StackGraph } from "../../stacks/offline/evaluate";
import { readStackFile } from "../../stacks/offline/stackfile";
import { SECTIONS } from "../../stacks/sections";
import { committedStack, deepClone, stackFile } from "../support/graph";

const SCHEMAS = {
    origin: originSnapshotSchema,
    spotFleets: spotFleetsSnapshotSchema,
    platform: platformSnapshotSchema,
    controlPlane: controlPlaneSnapshotSchema,
    search: searchSnapshotSchema,
} as const;

function prodConfig(): StackConfig {
    const raw = readStackFile(stackFile("prod"));
    return parseStackConfig(raw.config, new Set(raw.secretKeys)).config;
}

describe("section snapshots: one reader, one schema per section", function () {
    this.timeout(120000);
    let prod: StackGraph;
    before(async () => (prod = await committedStack("prod")));

    it("every section of the program has a schema, and the prod stack deploys them all", () => {
        assert.deepEqual(SECTIONS.map((s) => s.key).sort(), Object.keys(SCHEMAS).sort());
        const deployed = prod.outputs.deployed as Record<string, unknown>;
        for (const key of Object.keys(SCHEMAS)) assert.ok(deployed[key] !== undefined, `prod deploys ${key}`);
    });

    it("each schema reads back exactly what define() recorded (JSON round trip, as the engine stores it)", () => {
        const deployed = JSON.parse(JSON.stringify(prod.outputs.deployed)) as Record<string, unknown>;
        for (const [key, schema] of Object.entries(SCHEMAS)) {
            const read = readSnapshot(key, schema as never, deployed[key]);
            assert.equal(read.kind, "ok", `${key}: ${read.kind === "refused" ? read.message : ""}`);
            assert.deepEqual(JSON.parse(JSON.stringify((read as { value: unknown }).value)), deployed[key], `${key} reads back unchanged`);
        }
    });

    it("a null recorded in a snapshot may come back absent: read as null (spot ceiling, search data volume)", () => {
        const deployed = deepClone(prod.outputs.deployed) as any;
        delete deployed.spotFleets.etl.spendCeiling;
        const spot = readSnapshot("spotFleets", spotFleetsSnapshotSchema, deployed.spotFleets);
        assert.equal(spot.kind === "ok" && spot.value.etl.spendCeiling, null);
        const coordinator = deployed.search.nodes.find((n: any) => n.replacing.dataVolumeGiB === null);
        assert.ok(coordinator, "the coordinator has no data volume");
        delete coordinator.replacing.dataVolumeGiB;
        const search = readSnapshot("search", searchSnapshotSchema, deployed.search);
        assert.equal(search.kind === "ok" && search.value.nodes.find((n) => n.name === coordinator.name)!.replacing.dataVolumeGiB, null);
    });

    it("absent is a first deployment; anything unreadable is a refusal naming deployed.<section> and what to do", () => {
        for (const [key, schema] of Object.entries(SCHEMAS)) {
            assert.deepEqual(readSnapshot(key, schema as never, undefined), { kind: "first" });
            assert.deepEqual(readSnapshot(key, schema as never, null), { kind: "first" });
            for (const garbage of ["a string", 42, [], { unexpected: true }]) {
                const read = readSnapshot(key, schema as never, garbage);
                assert.equal(read.kind, "refused", `${key} refuses ${JSON.stringify(garbage)}`);
                const message = (read as { message: string }).message;
                assert.ok(message.startsWith(`deployed.${key}: the snapshot the last update recorded cannot be read (`), message);
                assert.match(message, /pulumi stack output deployed --show-secrets/);
                assert.match(message, /older or newer dataplat, deploy with that version first/);
            }
        }
    });

    it("a snapshot with a field this version does not know (a newer dataplat's) is refused, not half-read", () => {
        const deployed = deepClone(prod.outputs.deployed) as any;
        const read = readSnapshot("origin", originSnapshotSchema, { ...deployed.origin, drainFirst: true });
        assert.equal(read.kind, "refused");
        assert.match((read as { message: string }).message, /^deployed\.origin: .*drainFirst/);
    });

    it("refusals() of every section refuse an unreadable snapshot, and define() never treats it as a first deployment", () => {
        const cfg = prodConfig();
        for (const section of SECTIONS) {
            const next = cfg[section.key];
            assert.ok(next !== undefined, section.key);
            const refused = section.plan({ unexpected: "shape" }, next as never, cfg).refusals;
            assert.ok(
                refused.some((r) => r.startsWith(`deployed.${section.key}: the snapshot the last update recorded cannot be read`)),
                `${section.key}: ${refused.join(" | ")}`,
            );
        }
        assert.throws(
            () => snapshotValue(readSnapshot("origin", originSnapshotSchema, { hashstate: 1 })),
            /^Error: Refused by guardrails, nothing was changed:\n {2}- deployed\.origin: /,
        );
    });

    it("origin no longer fails open: a broken origin snapshot refuses a change it would have let through", () => {
        const cfg = prodConfig();
        const origin = SECTIONS.find((s) => s.key === "origin")!;
        const deployed = deepClone(prod.outputs.deployed) as any;
        // Two origins added at once is refused against the readable snapshot...
        const next = deepClone(cfg.origin!) as any;
        next.hashstate = { ...next.hashstate, "origin-new-1": { label: "new-1", weight: 100 }, "origin-new-2": { label: "new-2", weight: 100 } };
        assert.ok(origin.plan(deployed.origin, next, cfg).refusals.some((r) => r.startsWith("origin.hashstate:")));
        // ...and an unreadable snapshot (a port that came back as text) no longer switches that guardrail off.
        const broken = { ...deployed.origin, port: String(deployed.origin.port) };
        const refused = origin.plan(broken, next, cfg).refusals;
        assert.equal(refused.length, 1);
        assert.match(refused[0], /^deployed\.origin: the snapshot the last update recorded cannot be read \(at port: /);
    });

    it("platform: a host recorded without its name is refused, naming where", () => {
        const broken = deepClone(prod.outputs.deployed) as any;
        delete broken.platform.hosts[0].name;
        const platform = SECTIONS.find((s) => s.key === "platform")!;
        const cfg = prodConfig();
        assert.match(platform.plan(broken.platform, cfg.platform as never, cfg).refusals.join("\n"), /^deployed\.platform: .*at hosts\[0\]\.name: /m);
    });
});
