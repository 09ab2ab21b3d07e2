/**
 * The grammar of `node dist/cli/spot.js` (pure): which command takes which flag, and each flag's values.
 * A problem throws UsageError, which the CLI turns into exit 64 naming the flag.
 */

export class UsageError extends Error {
    override readonly name = "UsageError";
}

export type SpotRun =
    | { readonly command: "help" }
    | {
          readonly command: "rollout";
          readonly fleetId: string;
          readonly templateId: string;
          readonly version: string;
          readonly batchSize: number;
          readonly pauseSeconds: number;
          readonly timeoutSeconds: number;
          readonly pollSeconds: number;
          readonly shareCap: number;
      }
    | { readonly command: "mix"; readonly fleetId: string; readonly shareCap: number };

const GRAMMAR: Record<string, { re: RegExp; what: string }> = {
    "--fleet-id": { re: /^fleet-[0-9a-f-]{8,64}$/, what: "an EC2 Fleet id such as fleet-5b1a7cd4-..." },
    "--launch-template-id": { re: /^lt-[0-9a-f]{8,17}$/, what: "a launch template id such as lt-0123456789abcdef0" },
    "--version": { re: /^[1-9][0-9]{0,8}$/, what: "a launch template version number" },
    "--batch-size": { re: /^[1-9][0-9]{0,4}$/, what: "a whole number of instances > 0" },
    "--pause-seconds": { re: /^[0-9]{1,4}$/, what: "a whole number of seconds" },
    "--timeout": { re: /^[1-9][0-9]{0,5}$/, what: "a whole number of seconds > 0" },
    "--poll-seconds": { re: /^(0\.[0-9]*[1-9][0-9]*|[1-9][0-9]{0,2}(\.[0-9]+)?)$/, what: "a number of seconds > 0" },
    "--share-cap": { re: /^(0\.[0-9]*[1-9][0-9]*|1|1\.0+)$/, what: "a fraction in (0, 1]" },
};

const TAKES: Record<"rollout" | "mix", { required: string[]; optional: Record<string, string> }> = {
    rollout: {
        required: ["--fleet-id", "--launch-template-id", "--version"],
        optional: { "--batch-size": "40", "--pause-seconds": "0", "--timeout": "1800", "--poll-seconds": "10", "--share-cap": "1" },
    },
    mix: { required: ["--fleet-id"], optional: { "--share-cap": "1" } },
};

export function usageText(): string {
    return [
        "usage: node dist/cli/spot.js <command> [flags]      (AWS region and credentials from the environment)",
        "",
        "  rollout --fleet-id ID --launch-template-id ID --version N [--batch-size 40] [--pause-seconds 0]",
        "          [--timeout 1800] [--poll-seconds 10] [--share-cap F]",
        "      Replace the fleet's instances still on another version of its launch template, oldest first, a batch",
        "      at a time: terminate the batch, wait until the fleet is back at its capacity (capped at its target) on",
        "      version N, pause, next batch. --timeout bounds each batch's wait. Prints the batches and the running",
        "      mix against --share-cap as JSON on stdout; progress on stderr.",
        "  mix --fleet-id ID [--share-cap F]",
        "      The running mix per instance type (weighted units and share); exit 3 when a type is over the cap.",
        "",
        "exit codes: 0 ok, 1 bug, 3 refused (nothing terminated that could not be accounted for), 4 timeout (capacity",
        "did not come back), 5 AWS API error, 64 usage",
        "",
    ].join("\n");
}

export function parseSpotArgs(argv: readonly string[]): SpotRun {
    if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "help")) return { command: "help" };
    const [command, ...rest] = argv;
    if (command !== "rollout" && command !== "mix")
        throw new UsageError(`unknown command ${JSON.stringify(command ?? "")}: expected rollout or mix (--help lists them)`);
    const takes = TAKES[command];
    const values = new Map<string, string>();
    for (let k = 0; k < rest.length; k += 2) {
        const flag = rest[k];
        const value = rest[k + 1];
        if (!takes.required.includes(flag) && !(flag in takes.optional)) throw new UsageError(`${flag}: not a flag of ${command} (--help lists them)`);
        if (values.has(flag)) throw new UsageError(`${flag}: given twice`);
        if (value === undefined) throw new UsageError(`${flag}: needs a value`);
        const g = GRAMMAR[flag];
        if (!g.re.test(value)) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not ${g.what}`);
        values.set(flag, value);
    }
    for (const flag of takes.required) if (!values.has(flag)) throw new UsageError(`${flag}: required by ${command}`);
    const get = (flag: string) => values.get(flag) ?? takes.optional[flag];
    if (command === "mix") return { command, fleetId: get("--fleet-id"), shareCap: Number(get("--share-cap")) };
    return {
        command,
        fleetId: get("--fleet-id"),
        templateId: get("--launch-template-id"),
        version: get("--version"),
        batchSize: Number(get("--batch-size")),
        pauseSeconds: Number(get("--pause-seconds")),
        timeoutSeconds: Number(get("--timeout")),
        pollSeconds: Number(get("--poll-seconds")),
        shareCap: Number(get("--share-cap")),
    };
}
