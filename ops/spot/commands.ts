/**
 * The exact command strings the SpotFleet component registers (cwd = repository root, ids in the
 * environment so no value is spliced into shell text). Pure; tests run these very strings.
 *
 *   rollout  create: replace instances still on an older launch template version, batch by batch
 *            (cli/spot.ts rollout; ops/spot/rollout.ts decides)
 */

import { int, raw, sh } from "../shared/shell";

/** The CLI, relative to the repository root (built by `npm run build`). */
export const SPOT_CLI = "node dist/cli/spot.js";

/** Environment variables the rollout command reads. */
export const SPOT_ENV = {
    fleetId: "SPOT_FLEET_ID",
    templateId: "SPOT_LAUNCH_TEMPLATE_ID",
    version: "SPOT_LAUNCH_TEMPLATE_VERSION",
    region: "AWS_REGION",
} as const;

/** Exit code when dist/cli/spot.js is missing (as the search CLI's commands). */
export const SPOT_CLI_MISSING_EXIT = 2;

const whole = (name: string, v: number, min: number, max: number) => {
    if (!(Number.isInteger(v) && v >= min && v <= max)) throw new RangeError(`${name} must be a whole number in ${min}..${max}, got ${v}`);
    return int(v);
};

export interface RolloutCommandArgs {
    readonly batchSize: number;
    readonly pauseSeconds: number;
    readonly timeoutSeconds: number;
    readonly maxPercentPerType: number;
}

export function rolloutCommand(a: RolloutCommandArgs): string {
    if (!(a.maxPercentPerType > 0 && a.maxPercentPerType <= 1)) throw new RangeError(`maxPercentPerType must be in (0, 1], got ${a.maxPercentPerType}`);
    const limits = sh`--batch-size ${whole("batchSize", a.batchSize, 1, 10000)} --pause-seconds ${whole("pauseSeconds", a.pauseSeconds, 0, 3600)} --timeout ${whole("timeoutSeconds", a.timeoutSeconds, 1, 86400)} --share-cap ${raw(String(a.maxPercentPerType))}`;
    // The ids come from the environment (SPOT_ENV), never spliced into the text; the share cap is a number in (0, 1].
    return sh`test -f dist/cli/spot.js || { echo "dist/cli/spot.js is missing: run npm run build before pulumi up" >&2; exit ${int(SPOT_CLI_MISSING_EXIT)}; }
${raw(SPOT_CLI)} rollout --fleet-id "$${raw(SPOT_ENV.fleetId)}" --launch-template-id "$${raw(SPOT_ENV.templateId)}" --version "$${raw(SPOT_ENV.version)}" ${raw(limits)}`;
}
