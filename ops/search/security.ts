// TLS and authentication on the search nodes (admin.tls: true): everything the program renders for the OpenSearch
// security plugin, and how the drain CLI is told which CA and name to trust. Pure: no I/O, no clock, no Pulumi.
//
// The model:
// - One CA per cluster signs one node certificate that every node of the cluster shares, and one admin client
//   certificate (for securityadmin.sh; the drain path uses basic auth). Node IPs are not known when the certificates
//   are created, so the node certificate names a fixed DNS name, tlsServerName(clusterName), and clients connect by
//   IP while checking that name (the CLI: $SEARCH_TLS_NAME). Transport TLS checks the chain and the node DN
//   (plugins.security.nodes_dn), not host names.
// - The component creates the keys and certificates (e.g. @pulumi/tls: PrivateKey with KEY_ALGORITHM,
//   SelfSignedCert / LocallySignedCert from the ClusterTls data below), stores the CA certificate, the node
//   certificate, the node key (PKCS#8 PEM: the plugin reads nothing else; @pulumi/tls privateKeyPemPkcs8) and the
//   security config files as SSM SecureString parameters, and each node fetches them at first boot over its
//   instance role (securityBootFragment). Nothing secret is in the user data.
// - The admin user of the drain path lives in internal_users.yml with a bcrypt hash of its password. The hash is
//   computed by the caller (adminPasswordHash: bcryptjs with a salt the caller passes in, e.g. derived from a
//   random.RandomBytes resource kept in the state, or random.RandomPassword's own bcryptHash output): a fresh salt per
//   `pulumi up` would change the parameter on every update. internalUsersYml only checks that it is a bcrypt hash.
// - Every file the plugin would otherwise read from its demo defaults (admin/admin and other well-known users) is
//   replaced: internal_users.yml, roles_mapping.yml and config.yml (basic auth, internal users, HTTP over TLS only).

import bcrypt from "bcryptjs";
import { stringify } from "yaml";
import { raw, sh, int } from "../shared/shell";

// ---- How the drain CLI trusts the cluster (read by cli/search.ts, set by the component on its Commands) ----

/** Environment variable holding the PEM text of the CA the CLI trusts for an https endpoint (that CA only). */
export const SEARCH_CA_ENV = "SEARCH_CA";
/** Environment variable holding the name the server certificate must carry (tlsServerName), when it is not the endpoint's host. */
export const SEARCH_TLS_NAME_ENV = "SEARCH_TLS_NAME";

// ---- Certificates ----

/** A certificate subject, with the field names of @pulumi/tls `subject`. */
export interface CertSubject {
    organization: string;
    organizationalUnit: string;
    commonName: string;
}

/** Usages as @pulumi/tls `allowedUses` names them. */
export type CertUse = "cert_signing" | "crl_signing" | "digital_signature" | "key_encipherment" | "server_auth" | "client_auth";

export interface CertSpec {
    subject: CertSubject;
    /** RFC 2253 form, as the plugin compares it (plugins.security.nodes_dn / authcz.admin_dn). */
    dn: string;
    /** DNS subject alternative names. */
    dnsNames: string[];
    isCa: boolean;
    allowedUses: CertUse[];
    validityHours: number;
    /** @pulumi/tls earlyRenewalHours: a renewed certificate reaches a node only when it is replaced (nodes read it at first boot). */
    earlyRenewalHours: number;
}

export interface ClusterTls {
    /** The DNS name in the node certificate, checked by clients connecting by IP: $SEARCH_TLS_NAME. */
    serverName: string;
    ca: CertSpec;
    /** Shared by every node of the cluster: transport and HTTP. */
    node: CertSpec;
    /** Client certificate of securityadmin.sh (plugins.security.authcz.admin_dn). */
    admin: CertSpec;
}

/** Key algorithm of every key (@pulumi/tls PrivateKey args). RSA: what every JDK and the plugin read without a provider. */
export const KEY_ALGORITHM = { algorithm: "RSA", rsaBits: 2048 } as const;

const ORGANIZATION = "dataplat";
const UNIT = "search";
const HOURS_PER_YEAR = 24 * 365;

/**
 * The DNS label of a cluster name: `_` becomes `-` (not valid in a DNS name). Throws when the result is not a DNS
 * label (63 characters at most, no dash at either end), since no certificate could name it.
 */
export function clusterDnsLabel(clusterName: string): string {
    const label = clusterName.toLowerCase().replace(/_/g, "-");
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) {
        throw new RangeError(
            `cluster name ${JSON.stringify(clusterName)} does not give a DNS label for the TLS server name (letters, digits, - or _, at most 63, not ending in - or _)`,
        );
    }
    return label;
}

/** The name every node's certificate carries and clients check: node.<cluster>.dataplat. */
export function tlsServerName(clusterName: string): string {
    return `node.${clusterDnsLabel(clusterName)}.${ORGANIZATION}`;
}

/** RFC 2253 DN of a subject, most specific first: CN=...,OU=...,O=... (values are DNS-like, nothing to escape). */
export function subjectDn(s: CertSubject): string {
    for (const v of [s.commonName, s.organizationalUnit, s.organization]) {
        if (!/^[A-Za-z0-9][A-Za-z0-9 .-]*$/.test(v))
            throw new RangeError(`certificate subject value ${JSON.stringify(v)}: letters, digits, spaces, dots and dashes only`);
    }
    return `CN=${s.commonName},OU=${s.organizationalUnit},O=${s.organization}`;
}

/** `openssl req -subj` form of a subject, in the same RDN order as @pulumi/tls writes it (O, OU, CN). */
export function opensslSubject(s: CertSubject): string {
    subjectDn(s);
    return `/O=${s.organization}/OU=${s.organizationalUnit}/CN=${s.commonName}`;
}

/** The CA, node and admin certificates of a cluster, as data for @pulumi/tls (or openssl in the tests). */
export function clusterTls(clusterName: string): ClusterTls {
    const label = clusterDnsLabel(clusterName);
    const serverName = tlsServerName(clusterName);
    const spec = (commonName: string, rest: Omit<CertSpec, "subject" | "dn">): CertSpec => {
        const subject = { organization: ORGANIZATION, organizationalUnit: UNIT, commonName };
        return { subject, dn: subjectDn(subject), ...rest };
    };
    return {
        serverName,
        ca: spec(`ca.${label}.${ORGANIZATION}`, {
            dnsNames: [],
            isCa: true,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            validityHours: 10 * HOURS_PER_YEAR,
            earlyRenewalHours: HOURS_PER_YEAR,
        }),
        node: spec(serverName, {
            dnsNames: [serverName],
            isCa: false,
            allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
            validityHours: 2 * HOURS_PER_YEAR,
            earlyRenewalHours: 30 * 24,
        }),
        admin: spec(`admin.${label}.${ORGANIZATION}`, {
            dnsNames: [],
            isCa: false,
            allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
            validityHours: 2 * HOURS_PER_YEAR,
            earlyRenewalHours: 30 * 24,
        }),
    };
}

// ---- Files on the node ----

/** Where the security plugin of an OpenSearch major version reads its files (relative to the config dir). */
export interface SecurityLayout {
    /** PEM files, relative to the config dir (the plugin only reads files under it). */
    caFile: string;
    nodeCertFile: string;
    nodeKeyFile: string;
    /** Directory of internal_users.yml, roles_mapping.yml, config.yml (relative to the config dir). */
    securityConfigDir: string;
}

export interface Engine {
    distribution: "opensearch" | "elasticsearch";
    version: string;
}

/** Throws unless the engine runs the OpenSearch security plugin as rendered here (OpenSearch 2.x and 3.x). */
export function securityLayout(engine: Engine): SecurityLayout {
    const major = Number(engine.version.split(".")[0]);
    if (engine.distribution !== "opensearch" || !(major >= 2 && major <= 3)) {
        throw new RangeError(
            `admin.tls on the nodes is rendered for the OpenSearch security plugin of OpenSearch 2.x and 3.x, not ${engine.distribution} ${engine.version}`,
        );
    }
    return { caFile: "dataplat-ca.pem", nodeCertFile: "dataplat-node.pem", nodeKeyFile: "dataplat-node-key.pem", securityConfigDir: "opensearch-security" };
}

/** The TLS protocols the nodes accept, transport and HTTP: TLS 1.2 and newer only. */
export const TLS_PROTOCOLS = ["TLSv1.3", "TLSv1.2"] as const;

/**
 * The opensearch.yml keys of the security plugin, to merge into the rendered yml (renderOpensearchYml `extra`):
 * transport and HTTP TLS from the node certificate, the node and admin DNs, first-start initialisation of the
 * security index from the files of securityConfigFiles, the REST API of the security plugin for all_access only.
 */
export function securitySettings(clusterName: string, engine: Engine): Record<string, string | boolean | string[]> {
    const l = securityLayout(engine);
    const tls = clusterTls(clusterName);
    const pem = (layer: "transport" | "http") => ({
        [`plugins.security.ssl.${layer}.pemcert_filepath`]: l.nodeCertFile,
        [`plugins.security.ssl.${layer}.pemkey_filepath`]: l.nodeKeyFile,
        [`plugins.security.ssl.${layer}.pemtrustedcas_filepath`]: l.caFile,
        [`plugins.security.ssl.${layer}.enabled_protocols`]: [...TLS_PROTOCOLS],
    });
    return {
        ...pem("transport"),
        // Every node shares one certificate named by tlsServerName, not by its IP: transport checks chain and DN.
        "plugins.security.ssl.transport.enforce_hostname_verification": false,
        "plugins.security.ssl.http.enabled": true,
        ...pem("http"),
        "plugins.security.nodes_dn": [tls.node.dn],
        "plugins.security.authcz.admin_dn": [tls.admin.dn],
        "plugins.security.allow_default_init_securityindex": true,
        "plugins.security.allow_unsafe_democertificates": false,
        "plugins.security.restapi.roles_enabled": ["all_access"],
        "plugins.security.enable_snapshot_restore_privilege": true,
        "plugins.security.check_snapshot_restore_write_privileges": true,
        "plugins.security.system_indices.enabled": true,
    };
}

/** A bcrypt hash as the plugin reads it ($2a$, $2b$ or $2y$, cost 10 to 14). */
const BCRYPT = /^\$2[aby]\$(1[0-4])\$[./A-Za-z0-9]{53}$/;

/** The bcrypt cost of adminPasswordHash: each login costs it once (the plugin caches authenticated users). */
export const BCRYPT_COST = 12;

/**
 * bcrypt hash of the admin password, deterministic for a given salt so the parameter holding internal_users.yml
 * does not change on every update. `salt16`: 16 random bytes the caller keeps (e.g. random.RandomBytes, base64).
 */
export function adminPasswordHash(password: string, salt16: Uint8Array): string {
    if (salt16.length !== 16) throw new RangeError(`the bcrypt salt must be 16 bytes, got ${salt16.length}`);
    if (password.length < 12 || Buffer.byteLength(password) > 72) throw new RangeError("the admin password must be 12 to 72 bytes long (bcrypt reads 72)");
    const salt = `$2b$${BCRYPT_COST}$${bcrypt.encodeBase64([...salt16], 16)}`;
    return bcrypt.hashSync(password, salt);
}

export interface AdminUser {
    username: string;
    /** bcrypt hash (adminPasswordHash). */
    passwordHash: string;
}

export interface SecurityConfigFiles {
    "internal_users.yml": string;
    "roles_mapping.yml": string;
    "config.yml": string;
}

/**
 * The security plugin's config files, replacing its demo defaults: one internal user (the admin of the drain path,
 * mapped to all_access), basic auth against the internal users, no anonymous access. HTTP is TLS only
 * (securitySettings), so basic auth never travels in clear.
 */
export function securityConfigFiles(admin: AdminUser): SecurityConfigFiles {
    if (!/^[A-Za-z0-9_.-]+$/.test(admin.username)) throw new RangeError(`admin user name ${JSON.stringify(admin.username)}: letters, digits, _ . - only`);
    if (!BCRYPT.test(admin.passwordHash))
        throw new RangeError("the admin password hash is not a bcrypt hash ($2a$/$2b$/$2y$, cost 10-14): pass adminPasswordHash(...)");
    const yml = (type: string, body: Record<string, unknown>): string => stringify({ _meta: { type, config_version: 2 }, ...body });
    return {
        "internal_users.yml": yml("internalusers", {
            [admin.username]: {
                hash: admin.passwordHash,
                reserved: true,
                backend_roles: [],
                description: "dataplat admin: the drain, undrain and bounce of pulumi up",
            },
        }),
        "roles_mapping.yml": yml("rolesmapping", {
            all_access: { reserved: true, users: [admin.username], backend_roles: [], hosts: [], description: "dataplat admin" },
        }),
        "config.yml": yml("config", {
            config: {
                dynamic: {
                    http: { anonymous_auth_enabled: false, xff: { enabled: false } },
                    authc: {
                        basic_internal_auth_domain: {
                            description: "HTTP basic auth (over TLS only) against the internal users",
                            http_enabled: true,
                            transport_enabled: false,
                            order: 0,
                            http_authenticator: { type: "basic", challenge: true },
                            authentication_backend: { type: "intern" },
                        },
                    },
                    authz: {},
                },
            },
        }),
    };
}

// ---- First boot: the files from SSM Parameter Store ----

/** SSM parameter names (SecureString) of what a node fetches at first boot. */
export interface SecurityParameterNames {
    ca: string;
    nodeCert: string;
    nodeKey: string;
    internalUsers: string;
    rolesMapping: string;
    config: string;
}

/** An SSM parameter name as this module writes them: /a/b/c of letters, digits, _ . - (no /aws or /ssm prefix). */
const SSM_NAME = /^(?!\/(aws|ssm))(\/[A-Za-z0-9_.-]+)+$/i;

/**
 * The parameter names under `prefix` (e.g. /dataplat/prod/search/activedata): <prefix>/tls/ca.pem, /tls/node.pem,
 * /tls/node-key.pem, /security/internal_users.yml, /security/roles_mapping.yml, /security/config.yml.
 */
export function securityParameterNames(prefix: string): SecurityParameterNames {
    const p = prefix.replace(/\/+$/, "");
    if (!SSM_NAME.test(p) || p.length > 900) {
        throw new RangeError(`SSM parameter prefix ${JSON.stringify(prefix)}: expected /a/b/c of letters, digits, _ . -, not under /aws or /ssm`);
    }
    return {
        ca: `${p}/tls/ca.pem`,
        nodeCert: `${p}/tls/node.pem`,
        nodeKey: `${p}/tls/node-key.pem`,
        internalUsers: `${p}/security/internal_users.yml`,
        rolesMapping: `${p}/security/roles_mapping.yml`,
        config: `${p}/security/config.yml`,
    };
}

export interface BootFragmentArgs {
    engine: Engine;
    /** The engine's config dir and user (config.ts engineLayout). */
    configDir: string;
    user: string;
    parameters: SecurityParameterNames;
    /** --region of the aws CLI; default: the CLI's own (AWS_REGION, or the instance's region from IMDS). */
    region?: string;
    /** Tries per parameter (default 10), `attempt * 3` seconds apart: IAM credentials may lag at boot. */
    attempts?: number;
}

/** A file the boot fragment writes: absolute path, mode and owner as `user:group`. */
export interface FetchedFile {
    parameter: string;
    path: string;
    mode: "0600" | "0640";
    owner: string;
    /** The first line the file must contain (a PEM header), checked before it is put in place. */
    expect?: string;
}

/** Which parameter goes to which file, with which mode: the key 0600 owned by the engine user, the rest root:user 0640. */
export function fetchedFiles(a: Pick<BootFragmentArgs, "engine" | "configDir" | "user" | "parameters">): FetchedFile[] {
    const l = securityLayout(a.engine);
    const dir = a.configDir.replace(/\/+$/, "");
    const sec = `${dir}/${l.securityConfigDir}`;
    const readable = { mode: "0640", owner: `root:${a.user}` } as const;
    return [
        { parameter: a.parameters.ca, path: `${dir}/${l.caFile}`, ...readable, expect: "-----BEGIN CERTIFICATE-----" },
        { parameter: a.parameters.nodeCert, path: `${dir}/${l.nodeCertFile}`, ...readable, expect: "-----BEGIN CERTIFICATE-----" },
        // PKCS#8 only: the plugin refuses "BEGIN RSA PRIVATE KEY" at start with a less helpful message.
        { parameter: a.parameters.nodeKey, path: `${dir}/${l.nodeKeyFile}`, mode: "0600", owner: `${a.user}:${a.user}`, expect: "-----BEGIN PRIVATE KEY-----" },
        { parameter: a.parameters.internalUsers, path: `${sec}/internal_users.yml`, ...readable },
        { parameter: a.parameters.rolesMapping, path: `${sec}/roles_mapping.yml`, ...readable },
        { parameter: a.parameters.config, path: `${sec}/config.yml`, ...readable },
    ];
}

/**
 * The part of a node's first-boot script (inserted before the engine's unit is started, under `set -euo pipefail`)
 * that fetches the CA, the node certificate and key, and the security config files from SSM Parameter Store
 * (`aws ssm get-parameter --with-decryption`, over the instance role), each with retries, checks each is non-empty
 * (and a PEM of the right kind), and puts it in place atomically with its mode and owner. Fails closed: when any
 * parameter cannot be read, the script exits 1 before the engine is started, naming the parameter and the last error.
 * AWS_ENDPOINT_URL, when set, is passed as --endpoint-url (as ops/platform/bash.ts aws_cli does).
 */
export function securityBootFragment(a: BootFragmentArgs): string {
    const attempts = a.attempts ?? 10;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) throw new RangeError(`attempts must be 1 to 100, got ${attempts}`);
    if (!/^[a-z_][a-z0-9_-]*$/.test(a.user)) throw new RangeError(`not a user name: ${a.user}`);
    if (a.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(a.region)) throw new RangeError(`not an AWS region: ${a.region}`);
    const files = fetchedFiles(a);
    for (const f of files) {
        if (!/^\/[A-Za-z0-9_./-]+$/.test(f.path)) throw new RangeError(`not a plain absolute path: ${f.path}`);
        if (!SSM_NAME.test(f.parameter)) throw new RangeError(`not an SSM parameter name: ${JSON.stringify(f.parameter)}`);
    }
    const region = raw(a.region === undefined ? "" : sh` --region ${a.region}`);
    const l = securityLayout(a.engine);
    // a.user is checked above: a bare word.
    return sh`# dataplat: TLS material and security plugin config from SSM Parameter Store (SecureString, instance role).
# Fails closed: a parameter that cannot be read stops this script before the engine is started.
command -v aws >/dev/null || { echo "dataplat: the aws CLI is not installed: cannot fetch the TLS material" >&2; exit 1; }
install -d -m 0750 -o root -g ${raw(a.user)} ${`${a.configDir.replace(/\/+$/, "")}/${l.securityConfigDir}`}
dataplat_fetch() {
  local parameter=$1 dest=$2 mode=$3 owner=$4 expect=$5 tmp err="" attempt
  tmp="$(mktemp "$dest.XXXXXX")" || return 1
  for attempt in $(seq 1 ${int(attempts)}); do
    if err="$(aws \${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"}${region} --cli-connect-timeout 10 --cli-read-timeout 60 \
      ssm get-parameter --name "$parameter" --with-decryption --query Parameter.Value --output text 2>&1 >"$tmp")"; then
      if [ ! -s "$tmp" ]; then
        err="the parameter is empty"
      elif [ -n "$expect" ] && ! grep -qxF -- "$expect" "$tmp"; then
        rm -f "$tmp"
        echo "dataplat: SSM parameter $parameter does not hold a $expect PEM; refusing to start" >&2
        return 1
      else
        chmod "$mode" "$tmp" && chown "$owner" "$tmp" && mv -f "$tmp" "$dest" && return 0
        rm -f "$tmp"
        echo "dataplat: cannot put $dest in place" >&2
        return 1
      fi
    fi
    [ "$attempt" -lt ${int(attempts)} ] && sleep $((attempt * 3))
  done
  rm -f "$tmp"
  err="\${err//$'\n'/ }"
  echo "dataplat: cannot read SSM parameter $parameter after ${int(attempts)} tries: \${err# }" >&2
  return 1
}
${raw(
    files
        .map(
            (f) => sh`dataplat_fetch ${[f.parameter, f.path, f.mode, f.owner, f.expect ?? ""]} || exit 1
`,
        )
        .join(""),
)}`;
}
