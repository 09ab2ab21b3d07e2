// The pure pieces the SearchCluster component registers: each node's machine inputs and rendered config
// (ops/search/specs.ts searchNodeSpecs), and the command builders it added to ops/search/commands.ts (the SSH
// restart, the wait until the cluster answers, the endpoint with credentials).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { endpointWithCredentials, restartEndpointNodeCommand, sshRestartCommand, waitReachableCommand } from "../../ops/search/commands";
import { SearchClusterConfig, type SearchClusterConfigInput } from "../../ops/search/schema";
import { searchNodeSpecs } from "../../ops/search/specs";
import { stableSubnetIndex } from "../../ops/shared/placement";

const n = (name: string, extra: Record<string, unknown> = {}) => ({ name, instanceType: "r6i.large", heap: "8g", volumeSizeGiB: 100, ...extra });
const cluster = (over: Partial<SearchClusterConfigInput> = {}) =>
    SearchClusterConfig.parse({
        clusterName: "c",
        engine: { distribution: "opensearch", version: "2.19.6" },
        coordinator: { name: "coordinator", heap: "2g" },
        masters: [n("master-1"), n("master-2")],
        backupNodes: [n("backup-1"), n("backup-2")],
        spotNodes: [n("spot-1")],
        ...over,
    });
const ctx = {
    defaultImage: "ami-0aaaaaaaaaaaaaaaa",
    subnets: [{ id: "subnet-a" }, { id: "subnet-b" }, { id: "subnet-c" }],
    seedHosts: ["cluster-managers.x.internal"],
};
const bootstrap = ["coordinator-g0", "master-1-g0", "master-2-g0"];

/** The argv bash gives the program a command string starts with. */
function argvOf(command: string, program: string): string[] {
    assert.ok(command.startsWith(`${program} `), command);
    return execFileSync("bash", ["-c", `printf '%s\\0' ${command.slice(program.length + 1)}`], { encoding: "utf8" })
        .split("\0")
        .slice(0, -1);
}

describe("search node specs: what replaces a node, what bounces it", () => {
    const base = searchNodeSpecs(cluster(), { ...ctx, bootstrap });
    const byName = (specs: typeof base, name: string) => specs.find((s) => s.name === name)!;

    it("places the coordinator first, marks the endpoint, data and cluster-manager nodes", () => {
        assert.deepEqual(
            base.map((s) => [s.name, s.role, s.endpoint, s.data, s.clusterManager]),
            [
                ["coordinator", "coordinator", true, false, true],
                ["master-1", "cluster-manager", false, false, true],
                ["master-2", "cluster-manager", false, false, true],
                ["backup-1", "backup", false, true, false],
                ["backup-2", "backup", false, true, false],
                ["spot-1", "spot", false, true, false],
            ],
        );
        assert.equal(byName(base, "coordinator").dataVolumeGiB, undefined);
        assert.equal(byName(base, "spot-1").spot, true);
        const noCoordinator = searchNodeSpecs(cluster({ coordinator: undefined }), { ...ctx, bootstrap: [] });
        assert.equal(noCoordinator.find((s) => s.endpoint)!.name, "master-1", "without a coordinator the first master serves the endpoint");
    });

    it("only a bootstrap node carries cluster.initial_cluster_manager_nodes, always the recorded list", () => {
        for (const s of base) {
            const yml = parseYaml(s.yml);
            assert.deepEqual(yml["cluster.initial_cluster_manager_nodes"], s.clusterManager ? bootstrap : undefined, s.name);
        }
        const later = searchNodeSpecs(cluster({ masters: [n("master-1", { generation: 1 }), n("master-2"), n("master-3")] }), { ...ctx, bootstrap });
        assert.equal(parseYaml(byName(later, "master-1").yml)["cluster.initial_cluster_manager_nodes"], undefined);
        assert.equal(parseYaml(byName(later, "master-3").yml)["cluster.initial_cluster_manager_nodes"], undefined);
        assert.equal(byName(later, "master-2").userData, byName(base, "master-2").userData, "a bootstrap node's user data never changes");
    });

    it("subnets: the configured index, else a pick that depends only on the node's name", () => {
        const explicit = searchNodeSpecs(cluster({ backupNodes: [n("backup-1", { subnet: 2 }), n("backup-2")] }), { ...ctx, bootstrap });
        assert.equal(byName(explicit, "backup-1").subnetId, "subnet-c");
        assert.equal(byName(base, "backup-2").subnet, stableSubnetIndex("backup-2", 3));
        const fewer = searchNodeSpecs(cluster({ backupNodes: [n("backup-2")] }), { ...ctx, bootstrap });
        assert.equal(byName(fewer, "backup-2").subnetId, byName(base, "backup-2").subnetId, "removing another node moves nothing");
        assert.throws(() => searchNodeSpecs(cluster({ spotNodes: [n("spot-1", { subnet: 5 })] }), { ...ctx, bootstrap }), /subnet 5 is not an index/);
    });

    it("property: the replacement key changes exactly when a replacing input changes; heap changes only the config key", () => {
        const edits: Record<string, (o: Record<string, unknown>) => void> = {
            generation: (o) => (o.generation = 3),
            instanceType: (o) => (o.instanceType = "r6i.xlarge"),
            image: (o) => (o.image = "ami-0bbbbbbbbbbbbbbbb"),
            subnet: (o) => (o.subnet = (stableSubnetIndex(String(o.name), 3) + 1) % 3),
            volumeSizeGiB: (o) => (o.volumeSizeGiB = 200),
            zone: (o) => (o.zone = "elsewhere"),
            heap: (o) => (o.heap = "9g"),
        };
        fc.assert(
            fc.property(fc.constantFrom("backup-1", "backup-2", "spot-1", "master-1"), fc.constantFrom(...Object.keys(edits)), (name, field) => {
                const input = cluster() as unknown as Record<string, Record<string, unknown>[]>;
                const raw = JSON.parse(JSON.stringify(input));
                const group = (["masters", "backupNodes", "spotNodes"] as const).find((g) => raw[g].some((x: { name: string }) => x.name === name))!;
                edits[field]!(raw[group].find((x: { name: string }) => x.name === name));
                const next = searchNodeSpecs(SearchClusterConfig.parse(raw), { ...ctx, bootstrap });
                for (const s of next) {
                    const was = byName(base, s.name);
                    const touched = s.name === name;
                    assert.equal(s.replacementKey !== was.replacementKey, touched && field !== "heap", `${s.name} replacement after ${name}.${field}`);
                    assert.equal(
                        s.configKey !== was.configKey,
                        touched && field !== "image" && field !== "instanceType" && field !== "subnet" && field !== "volumeSizeGiB",
                        `${s.name} config after ${name}.${field}`,
                    );
                    if (!touched) assert.equal(s.userData, was.userData);
                }
            }),
            { numRuns: 60 },
        );
    });

    it("a cluster-wide setting changes every node's user data (the guardrails refuse it on a deployed cluster)", () => {
        const renamed = searchNodeSpecs(cluster({ clusterName: "d" }), { ...ctx, bootstrap });
        assert.ok(renamed.every((s) => s.replacementKey !== byName(base, s.name).replacementKey));
        const image = searchNodeSpecs(cluster(), { ...ctx, bootstrap, defaultImage: "ami-0ccccccccccccccc0" });
        assert.ok(image.every((s) => s.replacementKey !== byName(base, s.name).replacementKey));
        const pinned = searchNodeSpecs(cluster({ image: "ami-0ddddddddddddddd0" }), { ...ctx, bootstrap });
        const pinnedNewDefault = searchNodeSpecs(cluster({ image: "ami-0ddddddddddddddd0" }), { ...ctx, bootstrap, defaultImage: "ami-0ccccccccccccccc0" });
        assert.deepEqual(
            pinnedNewDefault.map((s) => s.replacementKey),
            pinned.map((s) => s.replacementKey),
        );
    });

    it("Elasticsearch 7 nodes use its package layout and unit", () => {
        const es = searchNodeSpecs(cluster({ engine: { distribution: "elasticsearch", version: "7.17.9" } }), { ...ctx, bootstrap });
        const spot = byName(es, "spot-1");
        assert.match(spot.userData, /cat >\/etc\/elasticsearch\/elasticsearch\.yml <<'DATAPLAT_EOF'/);
        assert.match(spot.userData, /systemctl enable --now elasticsearch\n$/);
        assert.equal(parseYaml(spot.yml)["path.data"], "/var/lib/elasticsearch");
        assert.deepEqual(parseYaml(byName(es, "master-1").yml)["cluster.initial_master_nodes"], bootstrap);
    });
});

describe("search admin endpoint config", () => {
    it("accepts scheme://host:port only, never credentials, and basic auth only over https or a local tunnel", () => {
        const ok = (admin: unknown) => SearchClusterConfig.safeParse({ ...cluster(), admin }).success;
        assert.equal(ok({ endpoint: "http://localhost:9201" }), true);
        assert.equal(ok({ endpoint: "http://localhost:9201", auth: "basic" }), true, "an SSH tunnel on localhost");
        assert.equal(ok({ endpoint: "https://search.internal:9200", auth: "basic" }), true);
        assert.equal(ok({ tls: true, auth: "basic" }), true);
        assert.equal(ok({ auth: "basic" }), false);
        assert.equal(ok({ endpoint: "http://10.0.0.5:9200", auth: "basic" }), false);
        assert.equal(ok({ endpoint: "http://a:b@localhost:9201" }), false);
        assert.equal(ok({ endpoint: "http://localhost:9201/_cluster" }), false);
        assert.equal(ok({ endpoint: "ftp://localhost" }), false);
        assert.equal(SearchClusterConfig.safeParse({ ...cluster(), zones: { backup: "spot", spot: "spot" } }).success, false);
    });

    it("endpointWithCredentials URL-encodes any password and refuses a base that already has credentials", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 1, maxLength: 20 }), (password) => {
                const url = new URL(endpointWithCredentials("https://10.0.0.5:9200", { username: "admin", password }));
                assert.equal(decodeURIComponent(url.password), password);
                assert.equal(url.host, "10.0.0.5:9200");
            }),
            { numRuns: 100 },
        );
        assert.equal(endpointWithCredentials("http://10.0.0.5:9200/"), "http://10.0.0.5:9200");
        assert.throws(() => endpointWithCredentials("http://u:p@10.0.0.5:9200"), /must not carry credentials/);
    });
});

describe("restart and wait command strings", () => {
    it("ssh restart without a key: BatchMode, accept-new host keys, the helper under sudo with the heap", () => {
        const cmd = sshRestartCommand({ host: "10.0.0.7", user: "ec2-user", heap: "31g" });
        assert.equal(
            cmd,
            "ssh -o BatchMode=yes -o ConnectTimeout=15 -o StrictHostKeyChecking=accept-new ec2-user@10.0.0.7 sudo /usr/local/sbin/dataplat-search-restart 31g",
        );
        assert.deepEqual(argvOf(cmd, "ssh"), [
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=15",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "ec2-user@10.0.0.7",
            "sudo",
            "/usr/local/sbin/dataplat-search-restart",
            "31g",
        ]);
    });

    it("ssh restart with a key: the key comes from the environment into a 0600 file removed on exit, never into the string", () => {
        const cmd = sshRestartCommand({ host: "10.0.0.7", user: "ec2-user", heap: "512m", keyEnv: "SEARCH_SSH_KEY" });
        assert.ok(!cmd.includes("PRIVATE KEY"));
        // Run it with an `ssh` that reports the key file it got: same bytes, mode 600, gone afterwards.
        const dir = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim();
        try {
            execFileSync("bash", [
                "-c",
                `cat >${dir}/ssh <<'EOF'\n#!/bin/bash\n[ "$1" = -i ] && stat -c %a "$2" && cat "$2" && echo "$2" >${dir}/path && echo "args: \${*:3}"\nEOF\nchmod +x ${dir}/ssh`,
            ]);
            const out = execFileSync("bash", ["-c", cmd], {
                encoding: "utf8",
                env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, SEARCH_SSH_KEY: "line1\nline2" },
            });
            assert.equal(
                out,
                "600\nline1\nline2\nargs: -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=15 -o StrictHostKeyChecking=accept-new ec2-user@10.0.0.7 sudo /usr/local/sbin/dataplat-search-restart 512m\n",
            );
            const keyFile = execFileSync("cat", [`${dir}/path`], { encoding: "utf8" }).trim();
            assert.equal(execFileSync("bash", ["-c", `test -e ${keyFile} && echo present || echo removed`], { encoding: "utf8" }).trim(), "removed");
        } finally {
            execFileSync("rm", ["-rf", dir]);
        }
    });

    it("refuses a heap or an environment variable name that could break the command", () => {
        assert.throws(() => sshRestartCommand({ host: "h", user: "u", heap: "31GB" }), RangeError);
        assert.throws(() => sshRestartCommand({ host: "h", user: "u", heap: "1g", keyEnv: "KEY; rm -rf /" }), RangeError);
        assert.throws(() => waitReachableCommand({ timeoutSeconds: 0 }), RangeError);
    });

    it("the endpoint node's restart exits 7 when the restart fails, without waiting", () => {
        const cmd = restartEndpointNodeCommand({ restart: "(exit 3)", timeoutSeconds: 60 });
        let code = 0;
        try {
            execFileSync("bash", ["-c", cmd], { stdio: "pipe" });
        } catch (e) {
            code = (e as { status: number }).status;
        }
        assert.equal(code, 7);
    });
});
