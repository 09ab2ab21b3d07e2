/**
 * From Pulumi's raw configuration map (`{"dataplat:network": "<json>", "aws:region": "us-west-2", ...}`)
 * to a validated StackConfig. Pure: the caller supplies the map and which keys are Pulumi secrets.
 * Everything wrong is reported at once, each problem with its path.
 */
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

export function parseStackConfig(raw: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string>): ParsedConfig {
    const problems: ConfigProblem[] = [];
    const values: Record<string, unknown> = {};
    const secrets: Partial<Record<SecretKey, string>> = {};
    const known = [...Object.keys(StackConfigSchema.shape), ...SECRET_KEYS];

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
        for (const p of problemsFromZod(result.error, StackConfigSchema)) {
            // Top-level unknown keys read better with the namespace the user typed.
            const top = p.path.split(/[.[]/)[0];
            if (p.message.startsWith("unknown key") && !p.path.includes(".") && !p.path.includes("[")) {
                const hint = suggest(top, known);
                problems.push({ path: p.path, message: `unknown key ${NAMESPACE}:${top}${hint ? ` (did you mean '${NAMESPACE}:${hint}'?)` : ""}` });
            } else {
                problems.push(p);
            }
        }
    }
    if (result.success && secrets.sshPrivateKey === undefined) {
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
