import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, ParsedConfig } from "../ops/config/parse";

/**
 * Pulumi's public Config API cannot say whether a key was set as a secret. The runtime's
 * `isConfigSecret` can (it reads the secret-key list the language host passes, and backs Config.get's
 * "value is a secret" warning); it is exported at runtime but typed @internal, so it is reached
 * through this narrow, checked shim. If a future SDK drops it, secrets are refused (fail closed)
 * rather than accepted unchecked.
 */
function isSecretConfigKey(key: string): boolean {
    const fn = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    if (typeof fn !== "function") {
        throw new pulumi.RunError("this @pulumi/pulumi version cannot tell secret config from plaintext; refusing to read secrets");
    }
    return fn(key);
}

/** Reads and validates the stack's configuration; throws a ConfigError naming every bad path. */
export function loadConfig(): ParsedConfig {
    const raw = pulumi.runtime.allConfig();
    const secretKeys = new Set(Object.keys(raw).filter(isSecretConfigKey));
    return parseStackConfig(raw, secretKeys);
}
