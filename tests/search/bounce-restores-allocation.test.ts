// Against a real OpenSearch cluster, through the exact bounce strings the SearchCluster component registers (taken
// from the mock-evaluated program): "Fixing Cluster" as one command. Allocation is limited while the node restarts,
// put back as it was, and the cluster ends green. The restart goes over `ssh` with the key from the environment; a
// stand-in ssh on PATH records what it was given and runs the test node's restart script as sshd would.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { EXIT_CODES } from "../../ops/search/failures";
import { findNode } from "../../ops/search/cluster-state";
import { ALLOCATION_ENABLE } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { bulkIndex, createIndex, idRange, waitGreen } from "./data";
import { ProgramCommands, SshStandIn, programCommands, runStep } from "./program-commands";
import { resetCluster, sharedCluster } from "./shared-cluster";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\ntest key material\n-----END OPENSSH PRIVATE KEY-----";

describe("bounce on a real OpenSearch cluster, through the program's bounce commands", function () {
    this.timeout(180_000);
    let cluster: TestCluster;
    let program: ProgramCommands;
    let ssh: SshStandIn;

    before(async function () {
        this.timeout(300_000);
        [cluster, program] = await Promise.all([sharedCluster(), programCommands({ timeouts: { bounceSeconds: 150 } })]);
    });

    beforeEach(async () => {
        ssh = new SshStandIn();
        await resetCluster(cluster);
    });
    afterEach(() => ssh.close());

    it("restarts a data node over ssh with allocation at primaries, restores the previous allocation, ends green", async () => {
        const client = cluster.client();
        const node = "spot-a-g0";
        await client.putSettings({ persistent: { [ALLOCATION_ENABLE]: "all" } });
        await createIndex(client, "events", { number_of_shards: 3, number_of_replicas: 1 });
        await bulkIndex(cluster.endpoint, "events", idRange("e", 1000));
        await waitGreen(client);
        const before = findNode(await client.nodes(), node)!;

        const bounce = program.nodes["spot-a"]!.bounce;
        ssh.route(program.nodes["spot-a"]!.ip, `bash ${JSON.stringify(cluster.node(node).scripts.restart)}`);
        const seen: string[] = [];
        const poll = setInterval(() => {
            client.settings().then(
                (s) => seen.push(String(s.persistent[ALLOCATION_ENABLE])),
                () => undefined,
            );
        }, 250);
        const r = await runStep(bounce, "create", cluster.endpoint, { env: ssh.env(KEY) }).finally(() => clearInterval(poll));

        assert.equal(r.code, 0, r.stderr);
        assert.ok(seen.includes("primaries"), `allocation was limited during the restart (saw ${[...new Set(seen)].join(",")})`);
        assert.equal((await client.settings()).persistent[ALLOCATION_ENABLE], "all", "previous persistent value restored");
        const restarted = findNode(await client.nodes(), node);
        assert.ok(restarted && restarted.ephemeralId !== before.ephemeralId, "a new process of the node joined");
        assert.equal((await client.health()).status, "green");

        const [call, ...more] = ssh.calls();
        assert.equal(more.length, 0, "one connection");
        assert.equal(call!.target, `ec2-user@${program.nodes["spot-a"]!.ip}`);
        assert.equal(call!.remote, "sudo /usr/local/sbin/dataplat-search-restart 256m", "the node's heap goes to the restart helper");
        assert.equal(call!.options, "IdentitiesOnly=yes BatchMode=yes ConnectTimeout=15 StrictHostKeyChecking=accept-new");
        assert.equal(call!.keysha, createHash("sha256").update(`${KEY}\n`).digest("hex"), "ssh was handed the key from SEARCH_SSH_KEY");
        assert.equal(call!.keymode, "600");
        assert.equal(fs.existsSync(call!.keyfile!), false, "the key file is removed when the restart returns");
    });

    it("restores allocation when the restart fails (ssh exits non-zero), and exits with the restart code", async () => {
        const client = cluster.client();
        ssh.route(program.nodes["backup-b"]!.ip, "exit 3");
        const r = await runStep(program.nodes["backup-b"]!.bounce, "create", cluster.endpoint, { env: ssh.env(KEY) });
        assert.equal(r.code, EXIT_CODES.restart, r.stderr);
        assert.equal((await client.settings()).persistent[ALLOCATION_ENABLE], undefined, "the setting was absent before and is absent again");
        assert.equal(ssh.calls().length, 1);
    });

    it("restarts the endpoint node itself, then waits until the cluster answers through it again", async () => {
        const client = cluster.client();
        const node = "cm-g0";
        const before = findNode(await client.nodes(), node)!;
        ssh.route(program.nodes.cm!.ip, `bash ${JSON.stringify(cluster.node(node).scripts.restart)}`);
        const bounce = program.nodes.cm!.bounce;
        assert.match(bounce.create!, /^if ! \(umask 077 && key=/, "the endpoint node is not bounced through itself");
        const r = await runStep(bounce, "create", cluster.endpoint, { env: ssh.env(KEY) });
        assert.equal(r.code, 0, r.stderr);
        const after = findNode(await client.nodes(), node);
        assert.ok(after && after.ephemeralId !== before.ephemeralId, "the endpoint node was restarted");
        assert.notEqual((await client.health()).status, "red");
    });
});
