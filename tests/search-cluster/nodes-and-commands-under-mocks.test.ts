// The SearchCluster component of the committed prod stack under Pulumi's mocks: every resource it registers, the
// security-relevant properties of each node, the dependency edges that order a controlled replacement, and the
// exact command strings and triggers of each command resource.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { parse as parseYaml } from "yaml";
import { stableKey } from "../../ops/naming/keys";
import { RESTART_IS_QUOTED } from "../../ops/search/commands";
import { StackGraph } from "../../stacks/offline/evaluate";
import { T, clusterResources, cmd, edited, explicitDeps, res, searchDoc, evaluate, withoutIdentity } from "./fixtures";

const P = "activedata";
const DATA = ["backup-1", "backup-2", "backup-3", "spot-1", "spot-2", "spot-3", "spot-4", "spot-5", "spot-6"];
const MANAGERS = ["master-1", "master-2", "master-3"];
const ALL = ["coordinator", ...MANAGERS, ...DATA];

/** The opensearch.yml written by an instance's user data. */
function ymlOf(userData: string): Record<string, unknown> {
    const m = /<<'DATAPLAT_EOF'\n([\s\S]*?)\nDATAPLAT_EOF/.exec(userData);
    assert.ok(m, "user data writes opensearch.yml");
    return parseYaml(m[1]!);
}

describe("SearchCluster: resources of the prod cluster", function () {
    this.timeout(60_000);
    let g: StackGraph;
    /** The update after `g` that changes every node's heap: each node now has its bounce. */
    let heaped: StackGraph;
    const heap = (n: string) => (n === "coordinator" || MANAGERS.includes(n) ? "4g" : "31g");
    before(async () => {
        const base = searchDoc("prod");
        g = await evaluate(base, undefined, "prod");
        const all = (s: any) => [s.coordinator, ...s.masters, ...s.backupNodes, ...s.spotNodes];
        const from = edited(base, (s) => all(s).forEach((n: any) => (n.heap = n.heap === "2g" ? "3g" : "2g")));
        heaped = await evaluate(base, from, "prod");
    });

    it("registers one host per node, undrain and drain per data node, ready, discovery and the admin rules; no bounce at first", () => {
        const mine = clusterResources(g);
        const count = (type: string) => mine.filter((r) => r.type === type).length;
        assert.equal(count(T.host), 13);
        assert.equal(count(T.instance), 13);
        const commands = mine
            .filter((r) => r.type === T.command)
            .map((r) => withoutIdentity(r.name).replace(`${P}-search-`, ""))
            .sort();
        assert.deepEqual(
            commands,
            [...DATA.flatMap((n) => [`${n}-undrain`, `${n}-drain`]), "ready"].sort(),
            "a first deployment restarts nothing: every node boots with its configured heap",
        );
        assert.deepEqual(
            mine
                .filter((r) => r.type === T.ingress)
                .map((r) => r.name)
                .sort(),
            [
                `${P}-search-admin-9200-from-frontend`,
                ...["203.0.113.17/32", "198.51.100.0/24"].map((c) => `${P}-search-admin-9200-from-operators-${stableKey(c)}`),
            ].sort(),
        );
        assert.equal(count(T.zone), 1);
        assert.equal(count(T.record), 1);
        assert.equal(count(T.sg), 0, "no security group of its own: the tier groups stay one per tier");
        assert.equal(mine.length, 13 * 2 + 9 * 2 + 1 + 3 + 2);
        const bounces = clusterResources(heaped).filter((r) => r.type === T.command && r.name.endsWith("-bounce"));
        assert.deepEqual(
            bounces.map((r) => withoutIdentity(r.name).replace(`${P}-search-`, "")).sort(),
            ALL.map((n) => `${n}-bounce`).sort(),
            "a heap change declares the bounce",
        );
    });

    it("every node's instance carries its heap as the dataplat-heap tag, readable through IMDS", () => {
        for (const n of ALL) {
            const i = res(g, T.instance, `${P}-search-${n}`);
            assert.deepEqual(i.inputs.tags, { "dataplat-heap": heap(n), Name: `${P}-search-${n}`, tier: n === "coordinator" ? "frontend" : "search" }, n);
            assert.equal((i.inputs.metadataOptions as any).instanceMetadataTags, "enabled", n);
        }
    });

    it("every node: IMDSv2 with hop limit 1, encrypted root and data volumes, no public IP, its tier's group and profile", () => {
        for (const n of ALL) {
            const i = res(g, T.instance, `${P}-search-${n}`);
            assert.deepEqual(
                i.inputs.metadataOptions,
                { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
                n,
            );
            assert.equal(i.inputs.associatePublicIpAddress, false, n);
            assert.equal((i.inputs.rootBlockDevice as any).encrypted, true, n);
            const tier = n === "coordinator" ? "frontend" : "search";
            assert.deepEqual(
                i.dependsOn
                    .map((u) => g.resources.find((r) => r.urn === u)!.name)
                    .filter((x) => !x.endsWith("-undrain"))
                    .sort(),
                [`${P}-${tier}-role-profile`, `${P}-tiers-${tier}`],
                n,
            );
            assert.equal((i.inputs.vpcSecurityGroupIds as string[]).length, 1, n);
            assert.equal((i.inputs.tags as any).tier, tier);
        }
        assert.deepEqual(res(g, T.instance, `${P}-search-coordinator`).inputs.ebsBlockDevices, [], "the coordinator keeps its state on the root volume");
        assert.deepEqual(res(g, T.instance, `${P}-search-backup-2`).inputs.ebsBlockDevices, [
            { deviceName: "/dev/sdf", volumeSize: 3000, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
        ]);
        assert.equal((res(g, T.instance, `${P}-search-master-1`).inputs.ebsBlockDevices as any[])[0].encrypted, true);
    });

    it("spot nodes are one-time spot instances that terminate; backup and cluster-manager nodes are on demand", () => {
        for (const n of DATA.filter((x) => x.startsWith("spot"))) {
            assert.deepEqual(res(g, T.instance, `${P}-search-${n}`).inputs.instanceMarketOptions, {
                marketType: "spot",
                spotOptions: { spotInstanceType: "one-time", instanceInterruptionBehavior: "terminate" },
            });
        }
        for (const n of ["coordinator", ...MANAGERS, "backup-1", "backup-2", "backup-3"]) {
            assert.equal(res(g, T.instance, `${P}-search-${n}`).inputs.instanceMarketOptions, undefined, n);
        }
    });

    it("each node's user data writes its opensearch.yml: name with generation, roles, zone, awareness, discovery by one DNS name", () => {
        const spot = ymlOf(res(g, T.instance, `${P}-search-spot-4`).inputs.userData as string);
        assert.deepEqual(spot, {
            "cluster.name": "activedata",
            "node.name": "spot-4-g0",
            "node.roles": ["data", "ingest"],
            "node.attr.zone": "spot",
            "network.host": "_site_",
            "discovery.seed_hosts": ["cluster-managers.search.activedata.internal"],
            "cluster.routing.allocation.awareness.attributes": "zone",
            "path.data": "/var/lib/opensearch",
            "path.logs": "/var/log/opensearch",
            "http.port": 9200,
            "transport.port": 9300,
        });
        const backup = ymlOf(res(g, T.instance, `${P}-search-backup-1`).inputs.userData as string);
        assert.equal(backup["node.attr.zone"], "reliable");
        assert.equal(backup["cluster.initial_cluster_manager_nodes"], undefined, "a data node never bootstraps the cluster");
        const bootstrap = ["coordinator-g0", "master-1-g0", "master-2-g0", "master-3-g0"];
        for (const n of ["coordinator", ...MANAGERS]) {
            const yml = ymlOf(res(g, T.instance, `${P}-search-${n}`).inputs.userData as string);
            assert.deepEqual(yml["node.roles"], ["cluster_manager"], n);
            assert.deepEqual(yml["cluster.initial_cluster_manager_nodes"], bootstrap, n);
        }
    });

    it("the user data is valid bash that mounts the data volume, reads the heap from the instance tag, installs the restart helper, and never holds the heap", () => {
        for (const n of ["coordinator", "backup-1", "spot-1"]) {
            const userData = res(g, T.instance, `${P}-search-${n}`).inputs.userData as string;
            execFileSync("bash", ["-n"], { input: userData });
            assert.match(userData, /^#!\/bin\/bash\n# dataplat host activedata-search-[a-z0-9-]+ generation 0\n/);
            assert.match(userData, /cat >\/usr\/local\/sbin\/dataplat-search-restart <<'DATAPLAT_EOF'/);
            assert.match(userData, /systemctl enable --now opensearch\n$/);
            assert.doesNotMatch(
                userData.replaceAll("(e.g. 31g)", ""),
                /-Xm[sx]\d|\b(31|4)g\b/,
                "the heap is never in the user data (a change would replace the node)",
            );
            assert.match(userData, /latest\/meta-data\/tags\/instance\/dataplat-heap/, "the heap comes from the instance tag");
            assert.match(userData, /printf -- '-Xms%s\\n-Xmx%s\\n' "\$heap" "\$heap" >\/etc\/opensearch\/jvm.options.d\/dataplat-heap.options\n/);
            assert.doesNotMatch(userData, /MemTotal/, "no default heap");
            assert.ok(userData.indexOf("dataplat-heap.options") < userData.indexOf("systemctl enable --now"), "heap written before the first start");
            assert.equal(/mkfs\.xfs -L dataplat-data/.test(userData), n !== "coordinator", n);
        }
    });

    it("orders a data node undrain <- instance <- drain <- bounce, and chains drains and undrains node after node", () => {
        const first = g;
        g = heaped;
        const host = (n: string) => `${T.host}::${P}-search-${n}`;
        const c = (n: string, k: string) => `${T.command}::${P}-search-${n}-${k}`;
        assert.deepEqual(explicitDeps(g, res(g, T.instance, `${P}-search-backup-2`)), [c("backup-2", "undrain")]);
        assert.deepEqual(explicitDeps(g, cmd(g, P, "backup-2", "drain")), [c("backup-1", "drain"), `${T.command}::${P}-search-ready`, host("backup-2")].sort());
        assert.deepEqual(explicitDeps(g, cmd(g, P, "backup-2", "undrain")), [c("backup-1", "undrain")]);
        assert.deepEqual(explicitDeps(g, cmd(g, P, "backup-1", "undrain")), []);
        assert.deepEqual(explicitDeps(g, cmd(g, P, "spot-1", "drain")), [c("backup-3", "drain"), `${T.command}::${P}-search-ready`, host("spot-1")].sort());
        assert.deepEqual(explicitDeps(g, cmd(g, P, "backup-2", "bounce")), [c("backup-1", "bounce"), c("backup-2", "drain"), host("backup-2")].sort());
        // The first bounce waits for every node to have joined; the others follow one at a time.
        assert.deepEqual(
            explicitDeps(g, cmd(g, P, "coordinator", "bounce")),
            [...DATA.map((n) => c(n, "drain")), `${T.command}::${P}-search-ready`, host("coordinator")].sort(),
        );
        assert.deepEqual(explicitDeps(g, cmd(g, P, "master-1", "bounce")), [c("coordinator", "bounce"), host("master-1")].sort());
        assert.deepEqual(explicitDeps(g, cmd(g, P, "backup-1", "bounce")), [c("backup-1", "drain"), c("master-3", "bounce"), host("backup-1")].sort());
        assert.deepEqual(explicitDeps(g, cmd(g, P, undefined)), ["coordinator", ...MANAGERS].map(host).sort());
        g = first;
    });

    it("registers the exact drain, undrain and wait strings, with the node name and replacement hash as triggers", () => {
        const drain = cmd(g, P, "backup-2", "drain");
        assert.equal(drain.inputs.create, "node dist/cli/search.js wait-joined --node backup-2-g0 --timeout 1800");
        assert.equal(
            drain.inputs.delete,
            "node dist/cli/search.js drain --node backup-2-g0 --timeout 172800 --spot-zone spot --zone-attribute zone --recoveries 4 --max-bytes-per-sec 250mb --absent-ok",
        );
        assert.equal(drain.inputs.update, "true", "a changed endpoint or key never re-runs the wait");
        assert.deepEqual(drain.inputs.interpreter, ["/bin/bash", "-c"]);
        assert.deepEqual(drain.options.replaceOnChanges, ["triggers[*]"]);
        const undrain = cmd(g, P, "backup-2", "undrain");
        assert.equal(undrain.inputs.create, "true");
        assert.equal(undrain.inputs.delete, "node dist/cli/search.js undrain --node backup-2-g0 --spot-zone spot --zone-attribute zone --absent-ok");
        const [name, key] = drain.inputs.triggers as string[];
        assert.equal(name, "backup-2-g0");
        assert.match(key!, /^[0-9a-f]{16}$/);
        assert.deepEqual(undrain.inputs.triggers, drain.inputs.triggers, "undrain and drain are replaced together");
        // Zone awareness keeps one copy of every shard in the backup zone, and a spot copy may not move there: a spot
        // node is drained without excluding the spot zone.
        assert.equal(
            cmd(g, P, "spot-3", "drain").inputs.delete,
            "node dist/cli/search.js drain --node spot-3-g0 --timeout 172800 --zone-attribute zone --recoveries 4 --max-bytes-per-sec 250mb --absent-ok",
        );
        assert.equal(
            cmd(g, P, "spot-3", "undrain").inputs.delete,
            "node dist/cli/search.js undrain --node spot-3-g0 --spot-zone spot --zone-attribute zone --absent-ok",
        );
    });

    it("bounces over SSH with the key from the environment, and restarts the endpoint node without watching itself", () => {
        const g = heaped;
        const ip = (n: string): string => (g.outputs.search as any).nodeIps[n];
        const bounce = cmd(g, P, "backup-3", "bounce");
        const ssh =
            `(umask 077 && key="$(mktemp)" && trap 'rm -f "$key"' EXIT && printf '%s\\n' "$SEARCH_SSH_KEY" >"$key" && ` +
            `ssh -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=15 -o StrictHostKeyChecking=accept-new ec2-user@${ip("backup-3")} ` +
            `sudo /usr/local/sbin/dataplat-search-restart 31g)`;
        assert.equal(
            bounce.inputs.create,
            `${RESTART_IS_QUOTED}node dist/cli/search.js bounce --node backup-3-g0 --restart '${ssh.replace(/'/g, `'\\''`)}' --timeout 7200 --allocation primaries`,
        );
        assert.equal(bounce.inputs.update, "true");
        const [name, key, config] = bounce.inputs.triggers as string[];
        assert.deepEqual([name, key], cmd(g, P, "backup-3", "drain").inputs.triggers);
        assert.match(config!, /^[0-9a-f]{16}$/);
        const coordinator = cmd(g, P, "coordinator", "bounce").inputs.create as string;
        assert.ok(coordinator.startsWith(`if ! (umask 077 && key="$(mktemp)"`), coordinator);
        assert.ok(
            coordinator.includes(
                `ec2-user@${ip("coordinator")} sudo /usr/local/sbin/dataplat-search-restart 4g); then echo "restart command failed" >&2; exit 7; fi; `,
            ),
        );
        assert.ok(
            coordinator.endsWith(
                `until node dist/cli/search.js health --status yellow --timeout 30 >/dev/null; do if [ "$SECONDS" -ge "$deadline" ]; then echo "search cluster not yellow through \\$SEARCH_ENDPOINT within 7200s" >&2; exit 4; fi; sleep 5; done`,
            ),
        );
        assert.equal(
            cmd(g, P, undefined).inputs.create,
            `test -f dist/cli/search.js || { echo "dist/cli/search.js is missing: run npm run build before pulumi up" >&2; exit 2; }; deadline=$((SECONDS + 1800)); ` +
                `until node dist/cli/search.js health --status yellow --timeout 30 >/dev/null; do if [ "$SECONDS" -ge "$deadline" ]; then echo "search cluster not yellow through \\$SEARCH_ENDPOINT within 1800s" >&2; exit 4; fi; sleep 5; done`,
        );
        execFileSync("bash", ["-n"], { input: coordinator });
        execFileSync("bash", ["-n"], { input: bounce.inputs.create as string });
    });

    it("keeps the endpoint and the SSH key in the environment, as secrets", () => {
        for (const r of clusterResources(g).filter((x) => x.type === T.command)) {
            const env = r.inputs.environment as Record<string, unknown> | string;
            assert.ok(
                env === "[secret]" || (typeof env === "object" && Object.values(env).every((v) => v === "[secret]")),
                `${r.name}: ${JSON.stringify(env)}`,
            );
            for (const field of ["create", "delete", "update"])
                assert.doesNotMatch(String(r.inputs[field] ?? ""), /https?:\/\/|BEGIN [A-Z ]*PRIVATE KEY/, `${r.name}.${field}`);
        }
    });

    it("opens the coordinator's 9200 to the frontend tier and the operators' networks only", () => {
        const rules = clusterResources(g).filter((r) => r.type === T.ingress);
        for (const r of rules) {
            assert.deepEqual([r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort], ["tcp", 9200, 9200]);
            assert.notEqual(r.inputs.cidrIpv4, "0.0.0.0/0");
            assert.ok(
                r.dependsOn.some((u) => u.endsWith(`::${P}-tiers-frontend`)),
                `${r.name} is a rule of the frontend group`,
            );
        }
        assert.deepEqual(
            rules
                .map((r) => r.inputs.cidrIpv4)
                .filter(Boolean)
                .sort(),
            ["198.51.100.0/24", "203.0.113.17/32"],
        );
    });

    it("discovery: a private zone in the VPC and one name for every cluster-manager-eligible node", () => {
        const zone = res(g, T.zone, `${P}-search-discovery`);
        assert.equal(zone.inputs.name, "search.activedata.internal");
        assert.deepEqual(zone.inputs.vpcs, [{ vpcId: "vpc-0a1b2c3d4e5f60718" }]);
        const record = res(g, T.record, `${P}-search-cluster-managers`);
        assert.equal(record.inputs.name, "cluster-managers.search.activedata.internal");
        assert.equal(record.inputs.type, "A");
        const ips = (g.outputs.search as any).nodeIps;
        assert.deepEqual(
            record.inputs.records,
            ["coordinator", ...MANAGERS].map((n) => ips[n]),
        );
    });

    it("records the deployed snapshot and the plan of a first deployment", () => {
        const deployed = (g.outputs.deployed as any).search;
        assert.deepEqual(deployed.bootstrap, ["coordinator-g0", "master-1-g0", "master-2-g0", "master-3-g0"]);
        assert.deepEqual(
            deployed.nodes.map((n: any) => n.name),
            ALL,
        );
        assert.equal(deployed.config.clusterName, "activedata");
        const plan = (g.outputs.plan as any).search;
        assert.equal(plan.change, "initial deployment");
        assert.equal(plan.steps[0], "ready: wait until the cluster answers through coordinator-g0 (at least yellow)");
        assert.equal(plan.steps.filter((s: string) => s.startsWith("join ")).length, 13);
        assert.equal(plan.steps.filter((s: string) => s.startsWith("bounce ")).length, 0, "nothing restarts on a first deployment");
        assert.ok(!plan.steps.some((s: string) => s.startsWith("drain ")));
        for (const n of deployed.nodes) assert.deepEqual([n.bootHeap, n.bounce], [heap(n.name), false], n.name);
        const heapedPlan = (heaped.outputs.plan as any).search.steps as string[];
        assert.equal(heapedPlan.filter((s) => s.startsWith("bounce ")).length, 13);
        assert.ok(
            heapedPlan.every((s) => s.startsWith("bounce ")),
            heapedPlan.join("\n"),
        );
    });
});
