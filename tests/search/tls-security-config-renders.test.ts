// ops/search/security.ts, fast: the certificate subjects and what openssl makes of them, the opensearch.yml keys merged
// into the rendered yml, the security config files that replace the plugin's demo users, the bcrypt hash, the SSM
// parameter names, and the first-boot fragment's shape (shellcheck-clean, every value quoted).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import bcrypt from "bcryptjs";
import { parse } from "yaml";
import { SearchClusterConfig } from "../../ops/search/schema";
import { renderOpensearchYml } from "../../ops/search/yml";
import {
    adminPasswordHash,
    clusterDnsLabel,
    clusterTls,
    fetchedFiles,
    opensslSubject,
    securityBootFragment,
    securityConfigFiles,
    securityLayout,
    securityParameterNames,
    securitySettings,
    subjectDn,
    tlsServerName,
} from "../../ops/search/security";
import { makePki } from "./secure-cluster";
import { shellcheck } from "../support/scripts";

const OS2 = { distribution: "opensearch", version: "2.19.4" } as const;
const HASH = adminPasswordHash("correct horse battery", new Uint8Array(16).fill(7));

describe("security.ts: certificates for a cluster whose node IPs are unknown", () => {
    it("one server name per cluster, carried by the shared node certificate as its DNS SAN and CN", () => {
        const tls = clusterTls("activedata");
        assert.equal(tls.serverName, "node.activedata.dataplat");
        assert.equal(tlsServerName("activedata"), tls.serverName);
        assert.deepEqual(tls.node.dnsNames, [tls.serverName]);
        assert.equal(tls.node.dn, "CN=node.activedata.dataplat,OU=search,O=dataplat");
        assert.equal(tls.admin.dn, "CN=admin.activedata.dataplat,OU=search,O=dataplat");
        assert.equal(tls.ca.isCa, true);
        assert.equal(tls.node.isCa, false);
        assert.ok(
            tls.node.allowedUses.includes("server_auth") && tls.node.allowedUses.includes("client_auth"),
            "transport TLS: each node is server and client",
        );
        assert.ok(!tls.admin.allowedUses.includes("server_auth"));
        assert.ok(tls.ca.allowedUses.includes("cert_signing"));
        assert.notEqual(clusterTls("other").node.dn, tls.node.dn, "clusters do not share node DNs");
    });

    it("cluster names that are no DNS label are mapped (_ to -) or refused", () => {
        assert.equal(clusterDnsLabel("active_data"), "active-data");
        assert.equal(tlsServerName("active_data"), "node.active-data.dataplat");
        for (const bad of ["ends-", "ends_", "x".repeat(64), "a.b"]) assert.throws(() => clusterTls(bad), RangeError, bad);
    });

    it("subject values that would need escaping in a DN are refused", () => {
        assert.throws(() => subjectDn({ organization: "a,b", organizationalUnit: "x", commonName: "y" }), RangeError);
        assert.throws(() => opensslSubject({ organization: "a/b", organizationalUnit: "x", commonName: "y" }), RangeError);
    });

    it("openssl, given the exported subjects and uses, makes a node certificate whose RFC 2253 DN is the nodes_dn entry", function () {
        this.timeout(30_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-pki-unit-"));
        try {
            const pki = makePki(dir, "activedata");
            const dn = execFileSync("openssl", ["x509", "-noout", "-subject", "-nameopt", "RFC2253"], { input: pki.nodeCert, encoding: "utf8" }).trim();
            assert.equal(dn, `subject=${pki.tls.node.dn}`);
            const cert = new X509Certificate(pki.nodeCert);
            assert.equal(cert.subjectAltName, `DNS:${pki.tls.serverName}`);
            assert.ok(cert.checkIssued(new X509Certificate(pki.caCert)));
            assert.equal(cert.checkHost(pki.tls.serverName), pki.tls.serverName);
            assert.equal(cert.checkHost("127.0.0.1"), undefined, "the certificate does not name an address");
            assert.match(pki.nodeKey, /^-----BEGIN PRIVATE KEY-----$/m, "PKCS#8, the only key format the plugin reads");
            const caDn = execFileSync("openssl", ["x509", "-noout", "-subject", "-nameopt", "RFC2253"], { input: pki.caCert, encoding: "utf8" }).trim();
            assert.equal(caDn, `subject=${pki.tls.ca.dn}`);
            assert.equal(new X509Certificate(pki.caCert).ca, true);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("security.ts: opensearch.yml keys of the security plugin", () => {
    const config = SearchClusterConfig.parse({
        clusterName: "activedata",
        engine: OS2,
        masters: [{ name: "cm", instanceType: "t3.small", heap: "1g", volumeSizeGiB: 10 }],
        backupNodes: [{ name: "backup-a", instanceType: "r6i.large", heap: "8g", volumeSizeGiB: 100 }],
        admin: { tls: true, auth: "basic" },
    });

    it("merge into the rendered yml: TLS on transport and HTTP from the files the boot fragment writes, TLS 1.2+ only", () => {
        const settings = securitySettings(config.clusterName, config.engine);
        const yml = parse(renderOpensearchYml(config, "backup-a", { seedHosts: ["cm.internal"], extra: settings })) as Record<string, unknown>;
        const layout = securityLayout(OS2);
        const tls = clusterTls("activedata");
        for (const layer of ["transport", "http"]) {
            assert.equal(yml[`plugins.security.ssl.${layer}.pemcert_filepath`], layout.nodeCertFile);
            assert.equal(yml[`plugins.security.ssl.${layer}.pemkey_filepath`], layout.nodeKeyFile);
            assert.equal(yml[`plugins.security.ssl.${layer}.pemtrustedcas_filepath`], layout.caFile);
            assert.deepEqual(yml[`plugins.security.ssl.${layer}.enabled_protocols`], ["TLSv1.3", "TLSv1.2"]);
        }
        assert.equal(yml["plugins.security.ssl.http.enabled"], true, "HTTP is TLS: no plaintext port");
        assert.equal(yml["plugins.security.ssl.transport.enforce_hostname_verification"], false, "one certificate for nodes of unknown IPs");
        assert.deepEqual(yml["plugins.security.nodes_dn"], [tls.node.dn]);
        assert.deepEqual(yml["plugins.security.authcz.admin_dn"], [tls.admin.dn]);
        assert.equal(yml["plugins.security.allow_default_init_securityindex"], true);
        assert.equal(yml["plugins.security.allow_unsafe_democertificates"], false);
        assert.deepEqual(yml["plugins.security.restapi.roles_enabled"], ["all_access"]);
        assert.equal(yml["node.name"], "backup-a-g0", "the node's own settings are still there");
        const files = fetchedFiles({ engine: OS2, configDir: "/etc/opensearch", user: "opensearch", parameters: securityParameterNames("/p") });
        for (const file of [layout.caFile, layout.nodeCertFile, layout.nodeKeyFile]) {
            assert.ok(
                files.some((f) => f.path === `/etc/opensearch/${file}`),
                `the boot fragment writes ${file}`,
            );
        }
    });

    it("is rendered for OpenSearch 2.x and 3.x only", () => {
        assert.doesNotThrow(() => securitySettings("c", { distribution: "opensearch", version: "3.1.0" }));
        assert.throws(() => securitySettings("c", { distribution: "opensearch", version: "1.3.20" }), /OpenSearch 2.x and 3.x/);
        assert.throws(() => securitySettings("c", { distribution: "elasticsearch", version: "7.10.2" }), /not elasticsearch/);
    });
});

describe("security.ts: the security config files replace the plugin's demo users", () => {
    it("the admin password hash is bcrypt, deterministic for a salt, and checks only the right password", function () {
        this.timeout(20_000);
        const salt = randomBytes(16);
        const a = adminPasswordHash("a long enough password", salt);
        assert.match(a, /^\$2b\$12\$[./A-Za-z0-9]{53}$/);
        assert.equal(adminPasswordHash("a long enough password", salt), a, "same salt, same hash: the parameter does not change on every update");
        assert.notEqual(adminPasswordHash("a long enough password", randomBytes(16)), a);
        assert.equal(bcrypt.compareSync("a long enough password", a), true);
        assert.equal(bcrypt.compareSync("a long enough passwore", a), false);
        assert.throws(() => adminPasswordHash("short", salt), RangeError);
        assert.throws(() => adminPasswordHash("a long enough password", salt.subarray(0, 15)), RangeError);
    });

    it("internal_users.yml holds the admin only, mapped to all_access; config.yml: basic auth, no anonymous access", () => {
        const files = securityConfigFiles({ username: "admin", passwordHash: HASH });
        const users = parse(files["internal_users.yml"]) as Record<string, { hash?: string }>;
        assert.deepEqual(Object.keys(users).sort(), ["_meta", "admin"], "no demo user (kibanaserver, readall...)");
        assert.deepEqual(users._meta, { type: "internalusers", config_version: 2 });
        assert.equal(users.admin!.hash, HASH);
        const mapping = parse(files["roles_mapping.yml"]) as Record<string, { users?: string[]; backend_roles?: string[] }>;
        assert.deepEqual(Object.keys(mapping).sort(), ["_meta", "all_access"]);
        assert.deepEqual(mapping.all_access!.users, ["admin"]);
        assert.deepEqual(mapping.all_access!.backend_roles, [], "no backend role grants all_access");
        const config = parse(files["config.yml"]) as {
            _meta: unknown;
            config: {
                dynamic: {
                    http: { anonymous_auth_enabled: boolean };
                    authc: Record<string, { http_enabled: boolean; http_authenticator: { type: string }; authentication_backend: { type: string } }>;
                };
            };
        };
        assert.deepEqual(config._meta, { type: "config", config_version: 2 });
        assert.equal(config.config.dynamic.http.anonymous_auth_enabled, false);
        const domains = Object.values(config.config.dynamic.authc);
        assert.equal(domains.length, 1);
        assert.equal(domains[0]!.http_authenticator.type, "basic");
        assert.equal(domains[0]!.authentication_backend.type, "intern");
    });

    it("refuses a password that is not hashed, and a user name that is not plain", () => {
        assert.throws(() => securityConfigFiles({ username: "admin", passwordHash: "correct horse battery" }), /not a bcrypt hash/);
        assert.throws(() => securityConfigFiles({ username: "admin", passwordHash: "$2b$04$" + "a".repeat(53) }), /not a bcrypt hash/, "cost 4 is too cheap");
        assert.throws(() => securityConfigFiles({ username: "ad min", passwordHash: HASH }), RangeError);
        assert.throws(() => securityConfigFiles({ username: "admin\nroot:", passwordHash: HASH }), RangeError);
    });
});

describe("security.ts: SSM parameters and the first-boot fragment", () => {
    const parameters = securityParameterNames("/dataplat/prod/search/activedata/");

    it("names the parameters under one prefix, and refuses a prefix SSM would refuse or reserve", () => {
        assert.deepEqual(parameters, {
            ca: "/dataplat/prod/search/activedata/tls/ca.pem",
            nodeCert: "/dataplat/prod/search/activedata/tls/node.pem",
            nodeKey: "/dataplat/prod/search/activedata/tls/node-key.pem",
            internalUsers: "/dataplat/prod/search/activedata/security/internal_users.yml",
            rolesMapping: "/dataplat/prod/search/activedata/security/roles_mapping.yml",
            config: "/dataplat/prod/search/activedata/security/config.yml",
        });
        for (const bad of ["dataplat/x", "/aws/x", "/ssm/x", "/a b", "/a/$(id)", "/a'b", ""]) assert.throws(() => securityParameterNames(bad), RangeError, bad);
    });

    it("the key is 0600 owned by the engine user, everything else root:<user> 0640, each file under the config dir", () => {
        const files = fetchedFiles({ engine: OS2, configDir: "/etc/opensearch/", user: "opensearch", parameters });
        assert.deepEqual(
            files.map((f) => [f.parameter.replace("/dataplat/prod/search/activedata", ""), f.path, f.mode, f.owner]),
            [
                ["/tls/ca.pem", "/etc/opensearch/dataplat-ca.pem", "0640", "root:opensearch"],
                ["/tls/node.pem", "/etc/opensearch/dataplat-node.pem", "0640", "root:opensearch"],
                ["/tls/node-key.pem", "/etc/opensearch/dataplat-node-key.pem", "0600", "opensearch:opensearch"],
                ["/security/internal_users.yml", "/etc/opensearch/opensearch-security/internal_users.yml", "0640", "root:opensearch"],
                ["/security/roles_mapping.yml", "/etc/opensearch/opensearch-security/roles_mapping.yml", "0640", "root:opensearch"],
                ["/security/config.yml", "/etc/opensearch/opensearch-security/config.yml", "0640", "root:opensearch"],
            ],
        );
    });

    it("passes shellcheck as part of a `set -euo pipefail` script, with and without a region", function () {
        this.timeout(30_000);
        for (const region of [undefined, "eu-west-1"]) {
            const fragment = securityBootFragment({ engine: OS2, configDir: "/etc/opensearch", user: "opensearch", parameters, region });
            assert.equal(shellcheck(`#!/bin/bash\nset -euo pipefail\n${fragment}systemctl enable --now opensearch\n`), "");
        }
    });

    it("refuses values that are not what the program generates, instead of quoting them into the boot script", () => {
        const base = { engine: OS2, configDir: "/etc/opensearch", user: "opensearch", parameters };
        assert.throws(() => securityBootFragment({ ...base, user: "open search" }), RangeError);
        assert.throws(() => securityBootFragment({ ...base, configDir: "/etc/$(id)" }), RangeError);
        assert.throws(() => securityBootFragment({ ...base, region: "eu-west-1; reboot" }), RangeError);
        assert.throws(() => securityBootFragment({ ...base, parameters: { ...parameters, nodeKey: "/x/'$(reboot)'" } }), RangeError);
        assert.throws(() => securityBootFragment({ ...base, attempts: 0 }), RangeError);
        assert.throws(() => securityBootFragment({ ...base, engine: { distribution: "elasticsearch", version: "7.10.2" } }), RangeError);
    });
});
