/**
 * The origin section (Kraken "Origin Cluster Operations"): each origin answers its health check, and the ring
 * file it runs with is the one the config renders (the runbook's hashstate document, or released Kraken's
 * cluster file): the same bytes on every origin, as the rollout writes them (ops/origin/rollout.ts).
 */
import type { Answer } from "./answer";
import { fault, type Finding, ok, unknown } from "./findings";
import type { OriginReading } from "./remote";

export interface OriginFacts {
    /** The hashstate host name. */
    readonly host: string;
    readonly address: string;
    readonly healthUrl: string;
    readonly configPath: string;
    /** What the config renders for the ring file. */
    readonly expectedConfig: string;
    readonly reading: Answer<OriginReading>;
}

const O = "origin" as const;

export function checkOrigin(f: OriginFacts): Finding[] {
    if (!f.reading.ok)
        return [
            unknown(
                O,
                "health",
                f.host,
                `${f.address}: ${f.reading.why}`,
                "check that the host runs and that SSH reaches it with the stack's key (`npm run preflight`)",
            ),
        ];
    const r = f.reading.value;
    const out: Finding[] = [];
    if (r.healthStatus >= 200 && r.healthStatus < 300) out.push(ok(O, "health", f.host, `${f.healthUrl} answered ${r.healthStatus}`));
    else {
        out.push(
            fault(
                O,
                "health",
                f.host,
                r.healthStatus === 0 ? `${f.healthUrl} did not answer` : `${f.healthUrl} answered ${r.healthStatus}`,
                "restart the origin (`sudo systemctl restart kraken-origin`) and read its log; blobs it owns are served by the other replicas meanwhile",
            ),
        );
    }
    if (r.config === undefined)
        out.push(
            fault(
                O,
                "hashstate",
                f.host,
                `${f.configPath} does not exist or cannot be read`,
                "run `pulumi up`: the rollout writes the ring file to every origin",
            ),
        );
    else if (r.config.trimEnd() === f.expectedConfig.trimEnd()) out.push(ok(O, "hashstate", f.host, `${f.configPath} matches the config`));
    else {
        out.push(
            fault(
                O,
                "hashstate",
                f.host,
                `${f.configPath} differs from what the config renders: this origin places blobs on another ring`,
                "run `pulumi up` to roll the config's hashstate out (origin by origin, then repair); never edit the file by hand",
            ),
        );
    }
    return out;
}
