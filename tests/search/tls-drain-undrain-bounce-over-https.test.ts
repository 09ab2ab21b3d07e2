// Against a real OpenSearch cluster with the security plugin (tests/search/secure-cluster.ts: TLS on transport and
// HTTP, basic auth, configured from ops/search/security.ts), the exact command strings the program registers (built
// by ops/search/commands.ts), run as Pulumi runs them, with $SEARCH_ENDPOINT carrying the admin's credentials and
// $SEARCH_CA / $SEARCH_TLS_NAME the cluster's CA and server name: drain, undrain and bounce work over https; plain
// http, a wrong password, a CA that did not sign the server's certificate and a wrong server name all fail closed,
// naming the endpoint without the password.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { bounceCommand, drainCommand, endpointWithCredentials, healthCommand, undrainCommand, waitJoinedCommand } from "../../ops/search/commands";
import { EXIT_CODES } from "../../ops/search/failures";
import { findNode } from "../../ops/search/cluster-state";
import { EXCLUDE_NAME, effectiveExclusion } from "../../ops/search/settings";
import { SEARCH_CA_ENV, SEARCH_TLS_NAME_ENV } from "../../ops/search/security";
import { allIds, copiesOn, createIndex, idRange, idsChecksum, waitGreen } from "./data";
import { gateCommand } from "../../ops/emergency/scripts";
import { RESUME_GATES } from "../../ops/emergency/steps";
import { runCommand } from "./run-command";
import { type SecureTestCluster, makePki, startSecureCluster } from "./secure-cluster";

/** What the CLI prints must never carry the password, in any encoding the endpoint may hold it. */
function assertNoPassword(text: string, password: string): void {
    for (const form of [password, encodeURIComponent(password)]) assert.ok(!text.includes(form), `the password appears in: ${text}`);
}

describe("TLS and basic auth on a real OpenSearch cluster with the security plugin", function () {
    this.timeout(240_000);
    let s: SecureTestCluster;

    before(async function () {
        this.timeout(300_000);
        s = await startSecureCluster();
    });
    after(async function () {
        this.timeout(60_000);
        await s?.cluster.close();
    });

    it("drains every copy off a data node over https with basic auth, and undrain takes the exclusion back", async () => {
        const client = s.cluster.client();
        const node = "backup-a-g0";
        const joined = await runCommand(waitJoinedCommand({ node, timeoutSeconds: 60 }), s.endpoint, { env: s.tlsEnv });
        assert.equal(joined.code, 0, joined.stderr);

        await createIndex(client, "events", { number_of_shards: 4, number_of_replicas: 0 });
        const ids = idRange("e", 400);
        for (let i = 0; i < ids.length; i += 25) {
            await Promise.all(ids.slice(i, i + 25).map((id) => client.json("PUT", `/events/_doc/${id}`, { id })));
        }
        await waitGreen(client);
        assert.ok((await copiesOn(client, node, "events")).length > 0, "the node holds copies before the drain");

        const drained = await runCommand(drainCommand({ node, timeoutSeconds: 120 }), s.endpoint, { env: s.tlsEnv });
        assert.equal(drained.code, 0, drained.stderr);
        assert.deepEqual(await copiesOn(client, node), [], "no copy of any index (the security index included) is left on the node");
        assert.deepEqual(effectiveExclusion(await client.settings(), EXCLUDE_NAME), [node]);
        assert.equal(idsChecksum(await allIds(client, "events")), idsChecksum(ids), "every document is still there");
        assertNoPassword(drained.stderr, s.password);

        const undrained = await runCommand(undrainCommand({ node }), s.endpoint, { env: s.tlsEnv });
        assert.equal(undrained.code, 0, undrained.stderr);
        assert.deepEqual(effectiveExclusion(await client.settings(), EXCLUDE_NAME), [], "the exclusion is taken back");
        await waitGreen(client);
    });

    it("bounces a data node over https: a new process joins and the cluster is green again", async () => {
        const client = s.cluster.client();
        const node = "backup-b-g0";
        const before = findNode(await client.nodes(), node)!;
        const restart = `bash ${s.cluster.node(node).scripts.restart}`;
        const r = await runCommand(bounceCommand({ node, restart, timeoutSeconds: 180 }), s.endpoint, { env: s.tlsEnv, timeoutMs: 200_000 });
        assert.equal(r.code, 0, r.stderr);
        const after = findNode(await client.nodes(), node);
        assert.ok(after && after.ephemeralId !== before.ephemeralId, "a new process of the node joined");
        assert.equal((await client.health()).status, "green");
    });

    it("refuses plain http: the node does not answer it, and the CLI will not send a CA's requests in clear", async () => {
        const port = s.cluster.nodes[0]!.httpPort;
        const plain = endpointWithCredentials(`http://127.0.0.1:${port}`, { username: s.username, password: s.password });

        // What the node answers to plain HTTP on its HTTP port: no HTTP answer of the cluster at all.
        const answer = await new Promise<string>((resolve) => {
            const req = http.get(
                `http://127.0.0.1:${port}/_cluster/health`,
                { headers: { authorization: `Basic ${Buffer.from(`${s.username}:${s.password}`).toString("base64")}` } },
                (res) => {
                    let body = "";
                    res.on("data", (d) => (body += d));
                    res.on("end", () => resolve(`HTTP ${res.statusCode} ${body}`));
                    res.on("error", (e) => resolve(`error ${e.message}`));
                },
            );
            req.on("error", (e) => resolve(`error ${e.message}`));
            req.setTimeout(15_000, () => req.destroy(new Error("no answer")));
        });
        assert.doesNotMatch(answer, /"cluster_name"|"status"\s*:\s*"(green|yellow|red)"/, `plain http got a cluster answer: ${answer}`);

        const noTlsEnv = await runCommand(healthCommand({ timeoutSeconds: 10 }), plain, { env: { [SEARCH_CA_ENV]: "", [SEARCH_TLS_NAME_ENV]: "" } });
        assert.equal(noTlsEnv.code, EXIT_CODES.api, noTlsEnv.stderr);
        assert.match(noTlsEnv.stderr, new RegExp(`GET http://127\\.0\\.0\\.1:${port}/`), "the error names the endpoint");
        assertNoPassword(noTlsEnv.stderr, s.password);

        const withCa = await runCommand(healthCommand({ timeoutSeconds: 10 }), plain, { env: s.tlsEnv });
        assert.equal(withCa.code, EXIT_CODES.usage, withCa.stderr);
        assert.match(
            withCa.stderr,
            new RegExp(`http://127\\.0\\.0\\.1:${port}: \\$${SEARCH_CA_ENV} or \\$${SEARCH_TLS_NAME_ENV} is set but the endpoint is plain http`),
        );
        assertNoPassword(withCa.stderr, s.password);
    });

    it("a wrong password fails closed (401), naming the endpoint without any password", async () => {
        const wrong = `${s.password}-wrong`;
        const endpoint = endpointWithCredentials(s.cluster.endpoint, { username: s.username, password: wrong });
        const client = s.cluster.client();
        const settingsBefore = await client.settings();
        const r = await runCommand(drainCommand({ node: "backup-a-g0", timeoutSeconds: 30 }), endpoint, { env: s.tlsEnv });
        assert.equal(r.code, EXIT_CODES.api, r.stderr);
        assert.match(r.stderr, new RegExp(`GET ${s.cluster.endpoint.replace(/\./g, "\\.")}/\\S* -> HTTP 401`), "names the endpoint and the status");
        assert.match(r.stderr, /check the user and password of the endpoint/);
        assertNoPassword(r.stderr, wrong);
        assertNoPassword(r.stderr, s.password);
        assert.deepEqual(effectiveExclusion(await client.settings(), EXCLUDE_NAME), effectiveExclusion(settingsBefore, EXCLUDE_NAME), "nothing was changed");
    });

    it("fails closed when the server's certificate is not from $SEARCH_CA, or does not name $SEARCH_TLS_NAME, or only the system's CAs are trusted", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-rogue-ca-"));
        try {
            // A CA with the very same subject as the cluster's, which did not sign the nodes' certificate.
            const rogue = makePki(dir, "dataplat-tls-test");
            assert.notEqual(rogue.caCert, s.pki.caCert);
            const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
                ["another CA", { ...s.tlsEnv, [SEARCH_CA_ENV]: rogue.caCert }, /certificate/],
                ["another server name", { ...s.tlsEnv, [SEARCH_TLS_NAME_ENV]: "node.another-cluster.dataplat" }, /altnames|does not match/i],
                ["no CA: the system's CAs", { [SEARCH_CA_ENV]: "", [SEARCH_TLS_NAME_ENV]: s.pki.tls.serverName }, /certificate/],
                ["the CA but the IP as the name", { ...s.tlsEnv, [SEARCH_TLS_NAME_ENV]: "" }, /altnames|does not match/i],
            ];
            for (const [label, env, reason] of cases) {
                const r = await runCommand(healthCommand({ timeoutSeconds: 10 }), s.endpoint, { env });
                assert.equal(r.code, EXIT_CODES.api, `${label}: ${r.stderr}`);
                assert.match(r.stderr, new RegExp(`GET ${s.cluster.endpoint.replace(/\./g, "\\.")}/: `), `${label}: names the endpoint`);
                assert.match(r.stderr, reason, label);
                assert.match(r.stderr, /the server's certificate was not verified/, label);
                assertNoPassword(r.stderr, s.password);
            }
            // And with the right CA and name the same command succeeds: the refusals above are the verification's.
            const ok = await runCommand(healthCommand({ timeoutSeconds: 10 }), s.endpoint, { env: s.tlsEnv });
            assert.equal(ok.code, 0, ok.stderr);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the emergency switch's resume gates (the exact gate lines its scripts embed) pass over https with $SEARCH_CA, and fail closed without it", async () => {
        const c = { gates: { timeoutSeconds: 5, pollSeconds: 1 }, recentIndexes: { patterns: ["*"], windowHours: 24 } };
        for (const step of ["balancer", "ingestion"] as const) {
            const line = gateCommand(`resume ${step}`, RESUME_GATES[step], c);
            const ok = await runCommand(line, s.endpoint, { env: s.tlsEnv });
            assert.equal(ok.code, 0, `${step}: ${ok.stderr}`);
            const untrusted = await runCommand(line, s.endpoint, { env: { [SEARCH_CA_ENV]: "", [SEARCH_TLS_NAME_ENV]: s.pki.tls.serverName } });
            assert.notEqual(untrusted.code, 0, `${step} without the CA passed: ${untrusted.stderr}`);
            assert.match(untrusted.stderr, /certificate/);
            assertNoPassword(untrusted.stderr + ok.stderr, s.password);
        }
    });
});
