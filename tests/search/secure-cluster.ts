// Test harness: a real OpenSearch cluster with the security plugin on 127.0.0.1 (installed by
// tests/peers/opensearch/install-secure.sh: integ-test-zip SECURE_VERSION + opensearch-security from Maven Central),
// configured exactly as ops/search/security.ts renders it for admin.tls: true: each node's opensearch.yml is
// renderOpensearchYml merged with securitySettings, its PEM files and security config files have the names and
// modes security.ts gives them, the certificates are made here with openssl from the subjects clusterTls exports,
// and internal_users.yml holds the admin user with a bcrypt hash from adminPasswordHash. Nodes, scripts and cleanup
// are those of tests/search/cluster.ts (TestCluster); the harness reaches the cluster over https with basic auth.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { endpointWithCredentials } from "../../ops/search/commands";
import {
    type CertSpec,
    type ClusterTls,
    SEARCH_CA_ENV,
    SEARCH_TLS_NAME_ENV,
    adminPasswordHash,
    clusterTls,
    opensslSubject,
    securityConfigFiles,
    securityLayout,
    securitySettings,
} from "../../ops/search/security";
import { RUN_USER, TestCluster, type TestClusterOptions, isRoot, repoRoot, userExists } from "./cluster";

export const SECURE_INSTALL = "bash tests/peers/opensearch/install-secure.sh";
const CLUSTER_NAME = "dataplat-tls-test";

export function secureOpenSearchVersion(): string {
    if (process.env.OPENSEARCH_SECURE_VERSION) return process.env.OPENSEARCH_SECURE_VERSION;
    return fs.readFileSync(path.join(repoRoot(), "tests/peers/opensearch/SECURE_VERSION"), "utf8").trim();
}

/** Where install-secure.sh put OpenSearch with the security plugin; throws a message telling how to install it. */
export function findSecureOpenSearchHome(version = secureOpenSearchVersion(), env: NodeJS.ProcessEnv = process.env): string {
    const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    const candidates = [
        env.OPENSEARCH_SECURE_HOME,
        `/opt/dataplat/opensearch-${version}-security`,
        path.join(cache, "dataplat", `opensearch-${version}-security`),
    ].filter((c): c is string => !!c);
    const marker = `opensearch-security ${version}.0`;
    const installed = (c: string): boolean => {
        try {
            return fs.existsSync(path.join(c, "bin", "opensearch")) && fs.readFileSync(path.join(c, ".dataplat-installed"), "utf8").trim() === marker;
        } catch {
            return false;
        }
    };
    const home = candidates.find(installed);
    if (!home) {
        throw new Error(
            `OpenSearch ${version} with the security plugin (${marker}) is not installed (looked in ${candidates.join(", ")}). ` +
                `Run \`${SECURE_INSTALL}\` (or \`bash tests/peers/opensearch/install.sh\`, which runs it) from the repository root, then run the tests again.`,
        );
    }
    if (isRoot() && !userExists(RUN_USER))
        throw new Error(`OpenSearch refuses to run as root and the user ${RUN_USER} does not exist. Run \`bash tests/peers/opensearch/install.sh\` as root.`);
    return home;
}

/** PEM files made with openssl from the subjects of clusterTls. */
export interface Pki {
    tls: ClusterTls;
    caCert: string;
    caKey: string;
    nodeCert: string;
    nodeKey: string;
}

const OPENSSL_USES: Record<CertSpec["allowedUses"][number], { key?: string; ext?: string }> = {
    cert_signing: { key: "keyCertSign" },
    crl_signing: { key: "cRLSign" },
    digital_signature: { key: "digitalSignature" },
    key_encipherment: { key: "keyEncipherment" },
    server_auth: { ext: "serverAuth" },
    client_auth: { ext: "clientAuth" },
};

/** openssl extension lines of a certificate spec (the same usages @pulumi/tls would write). */
function extensions(spec: CertSpec): string {
    const keyUsage = spec.allowedUses.flatMap((u) => OPENSSL_USES[u].key ?? []);
    const extUsage = spec.allowedUses.flatMap((u) => OPENSSL_USES[u].ext ?? []);
    return [
        `basicConstraints=critical,CA:${spec.isCa ? "TRUE" : "FALSE"}`,
        `keyUsage=critical,${keyUsage.join(",")}`,
        ...(extUsage.length ? [`extendedKeyUsage=${extUsage.join(",")}`] : []),
        ...(spec.dnsNames.length ? [`subjectAltName=${spec.dnsNames.map((n) => `DNS:${n}`).join(",")}`] : []),
        "subjectKeyIdentifier=hash",
        "",
    ].join("\n");
}

function openssl(args: string[], cwd: string): void {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * A CA and the shared node certificate of `clusterName`, made in `dir` with openssl. `ca` reuses a CA instead of
 * making one; without it a new CA is made (a second call gives a CA with the same subject that signed nothing else).
 */
export function makePki(dir: string, clusterName: string, ca?: { caCert: string; caKey: string }): Pki {
    fs.mkdirSync(dir, { recursive: true });
    const tls = clusterTls(clusterName);
    const days = String(30);
    const file = (name: string) => path.join(dir, name);
    let caCert = ca?.caCert;
    let caKey = ca?.caKey;
    if (caCert === undefined || caKey === undefined) {
        // openssl req -x509 takes the extensions of a self-signed certificate from a config section.
        fs.writeFileSync(file("ca.cnf"), `[req]\ndistinguished_name=dn\nx509_extensions=v3\n[dn]\n[v3]\n${extensions(tls.ca)}`);
        openssl(
            [
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-noenc",
                "-keyout",
                "ca-key.pem",
                "-out",
                "ca.pem",
                "-days",
                days,
                "-subj",
                opensslSubject(tls.ca.subject),
                "-config",
                "ca.cnf",
            ],
            dir,
        );
        caCert = fs.readFileSync(file("ca.pem"), "utf8");
        caKey = fs.readFileSync(file("ca-key.pem"), "utf8");
    } else {
        fs.writeFileSync(file("ca.pem"), caCert);
        fs.writeFileSync(file("ca-key.pem"), caKey, { mode: 0o600 });
    }
    fs.writeFileSync(file("node.ext"), extensions(tls.node));
    openssl(["req", "-newkey", "rsa:2048", "-noenc", "-keyout", "node-key.pem", "-out", "node.csr", "-subj", opensslSubject(tls.node.subject)], dir);
    openssl(
        [
            "x509",
            "-req",
            "-in",
            "node.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-set_serial",
            `0x${randomBytes(12).toString("hex")}`,
            "-days",
            days,
            "-extfile",
            "node.ext",
            "-out",
            "node.pem",
        ],
        dir,
    );
    return { tls, caCert, caKey, nodeCert: fs.readFileSync(file("node.pem"), "utf8"), nodeKey: fs.readFileSync(file("node-key.pem"), "utf8") };
}

export interface SecureTestCluster {
    cluster: TestCluster;
    pki: Pki;
    username: string;
    password: string;
    /** $SEARCH_ENDPOINT as the component sets it: https://admin:<password>@127.0.0.1:<port> (endpointWithCredentials). */
    endpoint: string;
    /** $SEARCH_CA and $SEARCH_TLS_NAME as the component sets them. */
    tlsEnv: NodeJS.ProcessEnv;
}

/**
 * Starts one cluster-manager and two backup data nodes (no spot node) with the security plugin, TLS on transport and
 * HTTP, and an admin user with a random password containing URL-special characters. Fails (never skips) with install
 * instructions when the secure distribution is not installed.
 */
export async function startSecureCluster(options: Pick<TestClusterOptions, "heap" | "log" | "startTimeoutSeconds"> = {}): Promise<SecureTestCluster> {
    const version = secureOpenSearchVersion();
    const home = findSecureOpenSearchHome(version);
    const engine = { distribution: "opensearch", version } as const;
    const layout = securityLayout(engine);
    const pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-pki-"));
    try {
        const pki = makePki(pkiDir, CLUSTER_NAME);
        const username = "admin";
        const password = `p@ss:w/rd%-${randomBytes(12).toString("base64url")}`;
        const files = securityConfigFiles({ username, passwordHash: adminPasswordHash(password, randomBytes(16)) });
        const settings = securitySettings(CLUSTER_NAME, engine);
        const clientOptions = { tls: { ca: pki.caCert, serverName: pki.tls.serverName } };
        const cluster = await TestCluster.start({
            ...options,
            heap: options.heap ?? "384m",
            spotNodes: 0,
            clusterName: CLUSTER_NAME,
            distribution: { home, version },
            access: { scheme: "https", credentials: { username, password }, clientOptions },
            configure: ({ conf }) => {
                // The package's defaults first (as on a node), then the files the boot fragment writes over them.
                fs.cpSync(path.join(home, "config", layout.securityConfigDir), path.join(conf, layout.securityConfigDir), { recursive: true });
                for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(conf, layout.securityConfigDir, name), text, { mode: 0o640 });
                fs.writeFileSync(path.join(conf, layout.caFile), pki.caCert, { mode: 0o640 });
                fs.writeFileSync(path.join(conf, layout.nodeCertFile), pki.nodeCert, { mode: 0o640 });
                fs.writeFileSync(path.join(conf, layout.nodeKeyFile), pki.nodeKey, { mode: 0o600 });
                return settings;
            },
        });
        return {
            cluster,
            pki,
            username,
            password,
            endpoint: endpointWithCredentials(cluster.endpoint, { username, password }),
            tlsEnv: { [SEARCH_CA_ENV]: pki.caCert, [SEARCH_TLS_NAME_ENV]: pki.tls.serverName },
        };
    } finally {
        fs.rmSync(pkiDir, { recursive: true, force: true });
    }
}
