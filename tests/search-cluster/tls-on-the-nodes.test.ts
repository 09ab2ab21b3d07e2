// Issue 10, point 8, in the program: with admin.tls the cluster gets its CA and a shared node certificate
// (@pulumi/tls), the security plugin's config with the admin user's bcrypt hash, all as SecureString parameters
// that only the search and frontend tiers may read; each node fetches them at first boot before the engine starts,
// and the drain, undrain and bounce commands trust exactly that CA and name. The real-cluster proof that these
// settings and commands work over TLS is tests/search/tls-drain-undrain-bounce-over-https.test.ts.

import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { clusterTls, securityParameterNames } from "../../ops/search/security";
import { StackGraph } from "../../stacks/offline/evaluate";
import { json, ofType } from "../support/graph";
import { Doc, T, clusterResources, edited, evaluate, res, searchDoc } from "./fixtures";

const P = "activedata-stg";
const TLS = {
    key: "tls:index/privateKey:PrivateKey",
    selfSigned: "tls:index/selfSignedCert:SelfSignedCert",
    request: "tls:index/certRequest:CertRequest",
    signed: "tls:index/locallySignedCert:LocallySignedCert",
    parameter: "aws:ssm/parameter:Parameter",
} as const;

const withTls = (doc: Doc): Doc =>
    edited(doc, (s, d) => {
        s.admin = { auth: "basic", tls: true, username: "ops" };
        d.config["dataplat:searchAdminPassword"] = { secure: "v1:c2VjcmV0" };
    });

describe("search admin.tls: TLS and authentication on the nodes", function () {
    this.timeout(120_000);
    let g: StackGraph;
    const names = securityParameterNames("/activedata-stg/staging/search");
    before(async () => (g = await evaluate(withTls(searchDoc("staging")), undefined, "staging")));

    it("creates one CA and one node certificate for the cluster, from the subjects ops/search/security.ts gives", () => {
        const mine = clusterResources(g);
        const spec = clusterTls("activedata-stg");
        assert.equal(mine.filter((r) => r.type === TLS.key).length, 2);
        const ca = res(g, TLS.selfSigned, `${P}-search-tls-ca`);
        assert.equal(ca.inputs.isCaCertificate, true);
        assert.deepEqual(ca.inputs.subject, spec.ca.subject);
        const request = res(g, TLS.request, `${P}-search-tls-node-request`);
        assert.deepEqual(request.inputs.subject, spec.node.subject);
        assert.deepEqual(request.inputs.dnsNames, [spec.serverName]);
        const node = res(g, TLS.signed, `${P}-search-tls-node`);
        assert.deepEqual(node.inputs.allowedUses, spec.node.allowedUses);
        for (const k of mine.filter((r) => r.type === TLS.key)) assert.deepEqual([k.inputs.algorithm, k.inputs.rsaBits], ["RSA", 2048], k.name);
    });

    it("stores the material and the security config as six SecureString parameters under the names the nodes fetch", () => {
        const params = clusterResources(g).filter((r) => r.type === TLS.parameter);
        assert.deepEqual(params.map((p) => p.inputs.name).sort(), Object.values(names).sort());
        for (const p of params) {
            assert.equal(p.inputs.type, "SecureString", p.name);
            assert.equal(p.inputs.value, "[secret]", `${p.name}: the value is a secret in the state`);
        }
    });

    it("each node's user data fetches them before the engine starts; no key or password is in it; opensearch.yml turns TLS on", () => {
        const nodes = ["coordinator", "master-1", "master-2", "backup-1", "backup-2", "spot-1", "spot-2"];
        assert.equal(clusterResources(g).filter((r) => r.type === T.instance).length, nodes.length);
        for (const n of nodes) {
            const instance = res(g, T.instance, `${P}-search-${n}`);
            const userData = String(instance.inputs.userData);
            for (const parameter of Object.values(names)) assert.ok(userData.includes(`'${parameter}'`), `${n} fetches ${parameter}`);
            assert.ok(userData.indexOf("dataplat_fetch ") < userData.indexOf("systemctl enable --now"), `${n}: fetched before the engine starts`);
            assert.doesNotMatch(userData, /BEGIN [A-Z ]*PRIVATE KEY-----\n[A-Za-z0-9+/]|\$2[aby]\$/, `${n}: no key material, no hash`);
            const yml = parseYaml(/<<'DATAPLAT_EOF'\n([\s\S]*?)\nDATAPLAT_EOF/.exec(userData)![1]!);
            assert.equal(yml["plugins.security.ssl.http.enabled"], true, n);
            assert.equal(yml["plugins.security.ssl.transport.enforce_hostname_verification"], false, n);
            // The instance is created after its parameters exist.
            const deps = instance.dependsOn.map((u) => g.resources.find((r) => r.urn === u)!);
            assert.equal(deps.filter((d) => d.type === TLS.parameter).length, 6, `${n} depends on the six parameters`);
        }
    });

    it("only the search and frontend tiers may read the parameters, each by its exact ARN", () => {
        const policies = ofType(g, "aws:iam/rolePolicy:RolePolicy");
        const reads = (p: (typeof policies)[number]) =>
            (json(p.inputs.policy).Statement as { Action: string[]; Resource: string[] }[])
                .filter((s) => s.Action.includes("ssm:GetParameter"))
                .flatMap((s) => s.Resource)
                .filter((r) => r.includes(":parameter/activedata-stg/staging/search/"));
        for (const p of policies) {
            const tier = /-(\w+)-role-policy$/.exec(p.name)![1];
            const expected = tier === "search" || tier === "frontend" ? Object.values(names).map((n) => `parameter${n}`) : [];
            assert.deepEqual(
                reads(p)
                    .map((r) => r.replace(/^arn:aws:ssm:[a-z0-9-]+:\d+:/, ""))
                    .sort(),
                expected.sort(),
                p.name,
            );
        }
    });

    it("the admin endpoint is https on the coordinator, and every command gets it only in the secret environment", () => {
        const commands = clusterResources(g).filter((r) => r.type === T.command);
        assert.ok(commands.length > 0);
        for (const c of commands) assert.equal(c.inputs.environment, "[secret]", c.name);
        // The endpoint itself is a secret (it carries the password); what the CLI reads from the environment, and
        // that it verifies the CA and name, is proven against a real cluster in tests/search/tls-*.test.ts.
        assert.equal((g.outputs as any).search.endpointNode, "coordinator-g0");
    });

    it("refuses turning TLS on for a deployed cluster (no rolling change exists), and TLS without basic auth or on Elasticsearch", async () => {
        const base = searchDoc("staging");
        await assert.rejects(evaluate(withTls(base), base, "staging"), /admin\.tls false -> true changes how every node talks to every other/);
        await assert.rejects(
            evaluate(
                edited(base, (s) => (s.admin = { tls: true })),
                undefined,
                "staging",
            ),
            /search\.admin\.auth: admin\.tls: true turns the security plugin on/,
        );
        await assert.rejects(
            evaluate(
                edited(withTls(base), (s) => (s.engine = { distribution: "elasticsearch", version: "7.17.9" })),
                undefined,
                "staging",
            ),
            /search\.admin\.tls: TLS on the nodes is rendered for OpenSearch 2\.x and 3\.x/,
        );
    });
});

describe("search admin.tls: every resource type it adds is in the provider replacement table", function () {
    this.timeout(120_000);
    it("classifies the tls and ssm types of a TLS cluster", async () => {
        const { entryFor } = await import("../../ops/provider/replacement");
        const g = await evaluate(withTls(searchDoc("staging")), undefined, "staging");
        for (const t of new Set(g.resources.map((r) => r.type))) assert.doesNotThrow(() => entryFor(t), t);
    });
});
