/**
 * Guardrails on a change of the whole stack, checked at preview against what was deployed last
 * (the `deployed` stack output). Each refusal says what to do instead.
 */
import { StackConfig } from "./schema";

/** What the stack records about itself for the next update to compare against. */
export interface DeployedFoundation {
    readonly environment: string;
    readonly prefix: string;
    readonly backupBuckets: readonly string[];
}

export function foundationSnapshot(cfg: StackConfig): DeployedFoundation {
    return {
        environment: cfg.environment,
        prefix: cfg.prefix,
        backupBuckets: Object.entries(cfg.buckets)
            .filter(([, b]) => b.purpose === "backup")
            .map(([name]) => name)
            .sort(),
    };
}

export function foundationRefusals(previous: DeployedFoundation | undefined, next: StackConfig): string[] {
    if (!previous) return [];
    const out: string[] = [];
    if (previous.environment !== next.environment) {
        out.push(
            `environment: this stack was deployed as '${previous.environment}' and cannot become '${next.environment}'; ` +
                `create a separate stack for '${next.environment}'`,
        );
    }
    if (previous.prefix !== next.prefix) {
        out.push(`prefix: changing '${previous.prefix}' to '${next.prefix}' would replace every named resource; keep '${previous.prefix}'`);
    }
    if (next.environment === "prod") {
        for (const name of previous.backupBuckets) {
            if (next.buckets[name]?.purpose !== "backup") {
                out.push(
                    `buckets.${name}: a prod backup bucket cannot be removed or repurposed by a config edit; copy its data elsewhere and remove it deliberately (pulumi state unprotect)`,
                );
            }
        }
    }
    return out;
}
