// Entry point that the SearchCluster component's command resources call (see ops/search/commands.ts):
//
//   node dist/cli/search.js <command> [--endpoint URL] [options]
//
//   drain        --node NAME --timeout S [--spot-zone Z] [--zone-attribute A] [--recoveries N]
//                [--max-bytes-per-sec SIZE] [--keep-exclusion-on-failure]
//   undrain      --node NAME [--spot-zone Z] [--zone-attribute A]
//   wait-joined  --node NAME --timeout S
//   exclude-spot --spot-zone Z [--zone-attribute A]
//   restore-spot --spot-zone Z [--zone-attribute A]
//   bounce       --node NAME --restart 'SHELL COMMAND' --timeout S [--allocation primaries|none]
//   health       [--status green|yellow|red] [--timeout S]     (prints the health JSON on stdout)
//
// The endpoint comes from --endpoint or $SEARCH_ENDPOINT (http(s)://[user:pass@]host:port), so addresses and
// credentials need not appear in the command string. Progress goes to stderr.
// Exit codes (ops/search/failures.ts): 0 ok, 1 bug, 2 usage, 3 refused, 4 timeout, 5 API error,
// 6 cluster lost the node / stayed red during the operation, 7 bounce restart command failed.

import { parseArgs } from "node:util";
import { SearchClient } from "../ops/search/client";
import { bounce, drain, excludeSpot, restoreSpot, undrain, waitForStatus, waitJoined } from "../ops/search/drain";
import { OpsFailure, exitCodeOf } from "../ops/search/failures";
import { SEARCH_ENDPOINT_ENV } from "../ops/search/commands";
import type { HealthStatus } from "../ops/search/model";

const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values: v } = parseArgs({
    args: rest,
    strict: true,
    options: {
      endpoint: { type: "string" },
      node: { type: "string" },
      timeout: { type: "string" },
      "spot-zone": { type: "string" },
      "zone-attribute": { type: "string" },
      recoveries: { type: "string" },
      "max-bytes-per-sec": { type: "string" },
      "keep-exclusion-on-failure": { type: "boolean" },
      restart: { type: "string" },
      allocation: { type: "string" },
      status: { type: "string" },
    },
  });
  const endpoint = v.endpoint ?? process.env[SEARCH_ENDPOINT_ENV];
  if (!endpoint) throw new OpsFailure("usage", `no endpoint: pass --endpoint or set ${SEARCH_ENDPOINT_ENV}`);
  const client = new SearchClient(endpoint);
  const need = (name: string, value: string | undefined): string => {
    if (value === undefined || value === "") throw new OpsFailure("usage", `${command} needs --${name}`);
    return value;
  };
  const seconds = (value: string | undefined): number => {
    const n = Number(need("timeout", value));
    if (!Number.isFinite(n) || n <= 0) throw new OpsFailure("usage", `--timeout must be a positive number of seconds, got ${value}`);
    return n;
  };
  const zone = { zoneAttribute: v["zone-attribute"], log };

  switch (command) {
    case "drain": {
      const recoveries = v.recoveries === undefined ? undefined : Number(v.recoveries);
      if (recoveries !== undefined && !(Number.isInteger(recoveries) && recoveries > 0)) throw new OpsFailure("usage", "--recoveries must be a positive integer");
      await drain(client, {
        node: need("node", v.node),
        timeoutSeconds: seconds(v.timeout),
        spotZone: v["spot-zone"],
        nodeConcurrentRecoveries: recoveries,
        maxBytesPerSec: v["max-bytes-per-sec"],
        keepExclusionOnFailure: v["keep-exclusion-on-failure"] === true,
        ...zone,
      });
      return;
    }
    case "undrain":
      await undrain(client, { node: need("node", v.node), spotZone: v["spot-zone"], ...zone });
      return;
    case "wait-joined":
      await waitJoined(client, { node: need("node", v.node), timeoutSeconds: seconds(v.timeout), log });
      return;
    case "exclude-spot":
      await excludeSpot(client, { spotZone: need("spot-zone", v["spot-zone"]), ...zone });
      return;
    case "restore-spot":
      await restoreSpot(client, { spotZone: need("spot-zone", v["spot-zone"]), ...zone });
      return;
    case "bounce": {
      const allocation = v.allocation ?? "primaries";
      if (allocation !== "primaries" && allocation !== "none") throw new OpsFailure("usage", "--allocation must be primaries or none");
      await bounce(client, { node: need("node", v.node), restart: need("restart", v.restart), allocation, timeoutSeconds: seconds(v.timeout), log });
      return;
    }
    case "health": {
      const status = (v.status ?? "green") as HealthStatus;
      if (!["green", "yellow", "red"].includes(status)) throw new OpsFailure("usage", "--status must be green, yellow or red");
      let failure: unknown;
      try {
        await waitForStatus(client, status, v.timeout === undefined ? 0.001 : seconds(v.timeout), log);
      } catch (e) {
        failure = e;
      }
      process.stdout.write(`${JSON.stringify(await client.health())}\n`);
      if (failure !== undefined) throw failure;
      return;
    }
    default:
      throw new OpsFailure("usage", `unknown command ${JSON.stringify(command)}: drain, undrain, wait-joined, exclude-spot, restore-spot, bounce, health`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
      const usage = e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
      log(`error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(usage ? 2 : exitCodeOf(e));
    },
  );
}
