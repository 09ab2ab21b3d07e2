/**
 * From Pulumi's raw configuration map (`{"dataplat:network": "<json>", "aws:region": "us-west-2", ...}`)
 * to a validated StackConfig. Pure: the caller supplies the map and which keys are Pulumi secrets.
 * Everything wrong is reported at once, each problem with its path.
 */
import { exposureProblems } from "../network/tiers";
import { ConfigError, ConfigProblem, problemsFromZod, suggest } from "./errors";
import { NAMESPACE, SECRET_KEYS, SecretKey, StackConfig, StackConfigSchema } from "./schema";

/** Sections whose hosts `pulumi up` reaches over SSH: they need dataplat:sshPrivateKey. */
const SSH_USERS = ["origin", "platform", "controlPlane"] as const;

export interface ParsedConfig {
    readonly config: StackConfig;
    readonly region: string;
    /** Secret values by key; only keys that were set. Callers must keep them secret. */
    readonly secrets: Partial<Record<SecretKey, string>>;
}

/**
 * What an empty secret would do, per key. A supplied secret replaces what the program would otherwise
 * do (generate a password), so an empty one must be refused here, before any resource: found later,
 * inside an apply() on the value, it would only fail in the middle of `pulumi up`.
 */
const EMPTY_SECRET: Record<SecretKey, string> = {
    sshPrivateKey: "is empty: set the private key with `pulumi config set --secret dataplat:sshPrivateKey < key.pem`, or remove the key",
    postgresPassword: "is empty: set a password with `pulumi config set --secret dataplat:postgresPassword`, or remove the key to have one generated",
    searchAdminPassword:
        "is empty (search admin.auth basic would send no password): set one with `pulumi config set --secret dataplat:searchAdminPassword`, or remove the key to have one generated",
};

/** Pulumi passes structured values as JSON text and plain values as-is. */
function decode(value: string): unknown {
    const t = value.trim();
    if (t.startsWith("{") || t.startsWith("[")) {
        try {
            return JSON.parse(t);
        } catch {
            return value;
        }
    }
    if (t === "true" || t === "false") return t === "true";
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    return value;
}

/**
 * Keys whose namespace is a typo of `dataplat` (`datapalt:prefix`, `DataPlat:prefix`). Other namespaces are other
 * programs' config (`aws:region`, `pulumi:*`, providers' settings) and are left alone; a namespace counts as a typo
 * only when it is near `dataplat` and is not it.
 */
function misspeltNamespaceKeys(raw: Readonly<Record<string, string>>): { fullKey: string; key: string; message: string }[] {
    const out: { fullKey: string; key: string; message: string }[] = [];
    for (const fullKey of Object.keys(raw)) {
        const sep = fullKey.indexOf(":");
        if (sep < 0) continue;
        const namespace = fullKey.slice(0, sep);
        if (namespace === NAMESPACE || suggest(namespace, [NAMESPACE]) !== NAMESPACE) continue;
        const key = fullKey.slice(sep + 1);
        out.push({
            fullKey,
            key,
            message: `unknown namespace '${namespace}' (did you mean '${NAMESPACE}:${key}'?): this program reads its settings from ${NAMESPACE}:*, so this key is not read`,
        });
    }
    return out;
}

export function parseStackConfig(raw: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string>): ParsedConfig {
    const problems: ConfigProblem[] = [];
    const values: Record<string, unknown> = {};
    const secrets: Partial<Record<SecretKey, string>> = {};
    const known = [...Object.keys(StackConfigSchema.shape), ...SECRET_KEYS];

    // A key of a misspelt namespace (`datapalt:prefix`) would be skipped below like any other program's config,
    // and the problem reported as whatever it left missing; it is reported as itself instead.
    const misspelt = misspeltNamespaceKeys(raw);
    for (const m of misspelt) problems.push({ path: m.fullKey, message: m.message });

    for (const [fullKey, value] of Object.entries(raw)) {
        const sep = fullKey.indexOf(":");
        if (sep < 0 || fullKey.slice(0, sep) !== NAMESPACE) continue;
        const key = fullKey.slice(sep + 1);
        if ((SECRET_KEYS as readonly string[]).includes(key)) {
            if (!secretKeys.has(fullKey)) {
                problems.push({
                    path: key,
                    message: `must be a Pulumi secret, not plaintext in the stack file: run \`pulumi config set --secret ${fullKey} ...\``,
                });
            } else if (value.trim() === "") {
                problems.push({ path: key, message: EMPTY_SECRET[key as SecretKey] });
            } else {
                secrets[key as SecretKey] = value;
            }
            continue;
        }
        if (secretKeys.has(fullKey)) {
            // A secret where none is expected would be copied into plaintext resource inputs.
            problems.push({ path: key, message: "is a secret, but this setting is not secret: set it with `pulumi config set` (no --secret)" });
            continue;
        }
        values[key] = decode(value);
    }

    const region = raw["aws:region"];
    if (region === undefined) problems.push({ path: "aws:region", message: "required: the AWS region to deploy to, e.g. us-west-2" });
    else if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) problems.push({ path: "aws:region", message: "expected an AWS region such as us-west-2" });

    const result = StackConfigSchema.safeParse(values);
    if (!result.success) {
        const supplied = new Set(misspelt.map((m) => m.key));
        for (const p of problemsFromZod(result.error, StackConfigSchema)) {
            // Top-level unknown keys read better with the namespace the user typed, and with the keys there are.
            const top = p.path.split(/[.[]/)[0];
            if (p.message.startsWith("unknown key") && !p.path.includes(".") && !p.path.includes("[")) {
                const hint = suggest(top, known);
                problems.push({
                    path: p.path,
                    message: `unknown key ${NAMESPACE}:${top}${hint ? ` (did you mean '${NAMESPACE}:${hint}'?)` : ""}; expected one of: ${known.map((k) => `${NAMESPACE}:${k}`).join(", ")}`,
                });
            } else if (supplied.has(p.path) && values[p.path] === undefined) {
                // Missing only because it was typed under the misspelt namespace: that problem is already reported.
                continue;
            } else {
                problems.push(p);
            }
        }
    }
    // Checks of the resources' shape that only config decides: refused here, never in a component.
    if (result.success) problems.push(...exposureProblems(result.data.network));
    if (result.success && secrets.sshPrivateKey === undefined && !problems.some((p) => p.path === "sshPrivateKey")) {
        const users = SSH_USERS.filter((k) => result.data[k] !== undefined);
        if (users.length > 0) {
            problems.push({
                path: "sshPrivateKey",
                message: `required by ${users.join(", ")} (pulumi up reaches those hosts over SSH): run \`pulumi config set --secret ${NAMESPACE}:sshPrivateKey < key.pem\``,
            });
        }
    }
    if (problems.length > 0) throw new ConfigError(problems, NAMESPACE);
    return { config: result.data!, region: region!, secrets };
}
