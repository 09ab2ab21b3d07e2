// The exact command strings the SearchCluster component registers on its @pulumi/command local.Command
// resources (cwd = repository root, endpoint in the environment). Pure: the integration tests run these very
// strings with `bash -c`, so what Pulumi runs is what was tested.
//
// Per data node `<configName>-g<generation>` (see searchNodeName):
//   undrain Command  create: NOOP_COMMAND             delete: undrainCommand({node, spotZone})
//   instance         depends on the undrain Command
//   drain Command    create: waitJoinedCommand(...)   delete: drainCommand({node, spotZone, timeoutSeconds})
// Pulumi deletes a replaced node's resources at the end of the update in reverse dependency order:
// drain (non-zero exit stops the update) -> instance -> undrain.

/** Environment variable holding the search endpoint, e.g. http://10.0.0.5:9200 or https://user:pass@host:9200. */
export const SEARCH_ENDPOINT_ENV = "SEARCH_ENDPOINT";

/** The CLI, relative to the repository root (built by `npm run build`). */
export const SEARCH_CLI = "node dist/cli/search.js";

/** A create/delete step that does nothing. */
export const NOOP_COMMAND = "true";

/** The stable OpenSearch node name of a node config: a later node reusing the IP is never excluded by it. */
export function searchNodeName(configName: string, generation: number): string {
  return `${configName}-g${generation}`;
}

export interface DrainCommandArgs {
  node: string;
  timeoutSeconds: number;
  /** Exclude this zone first when the cluster has nodes in it ("Ensure all nodes are reliable"). */
  spotZone?: string;
  zoneAttribute?: string;
  /** Recovery throttles during the drain (restored afterwards). */
  nodeConcurrentRecoveries?: number;
  maxBytesPerSec?: string;
}

export function drainCommand(a: DrainCommandArgs): string {
  return cli("drain", [
    ["--node", a.node],
    ["--timeout", seconds(a.timeoutSeconds)],
    ["--spot-zone", a.spotZone],
    ["--zone-attribute", a.zoneAttribute],
    ["--recoveries", a.nodeConcurrentRecoveries === undefined ? undefined : String(a.nodeConcurrentRecoveries)],
    ["--max-bytes-per-sec", a.maxBytesPerSec],
  ]);
}

export interface UndrainCommandArgs {
  node: string;
  /** Also restore allocation to this zone ("Re-enable spot nodes"). */
  spotZone?: string;
  zoneAttribute?: string;
}

export function undrainCommand(a: UndrainCommandArgs): string {
  return cli("undrain", [
    ["--node", a.node],
    ["--spot-zone", a.spotZone],
    ["--zone-attribute", a.zoneAttribute],
  ]);
}

export function waitJoinedCommand(a: { node: string; timeoutSeconds: number }): string {
  return cli("wait-joined", [
    ["--node", a.node],
    ["--timeout", seconds(a.timeoutSeconds)],
  ]);
}

export function excludeSpotCommand(a: { spotZone: string; zoneAttribute?: string }): string {
  return cli("exclude-spot", [
    ["--spot-zone", a.spotZone],
    ["--zone-attribute", a.zoneAttribute],
  ]);
}

export function restoreSpotCommand(a: { spotZone: string; zoneAttribute?: string }): string {
  return cli("restore-spot", [
    ["--spot-zone", a.spotZone],
    ["--zone-attribute", a.zoneAttribute],
  ]);
}

export interface BounceCommandArgs {
  node: string;
  /** Shell command restarting the node, e.g. `ssh ec2-user@10.0.0.7 sudo supervisorctl restart es`. */
  restart: string;
  timeoutSeconds: number;
  allocation?: "primaries" | "none";
}

export function bounceCommand(a: BounceCommandArgs): string {
  return cli("bounce", [
    ["--node", a.node],
    ["--restart", a.restart],
    ["--timeout", seconds(a.timeoutSeconds)],
    ["--allocation", a.allocation],
  ]);
}

export function healthCommand(a: { status?: "green" | "yellow" | "red"; timeoutSeconds?: number } = {}): string {
  return cli("health", [
    ["--status", a.status],
    ["--timeout", a.timeoutSeconds === undefined ? undefined : seconds(a.timeoutSeconds)],
  ]);
}

/** POSIX single-quoting: the value reaches the CLI as one argument, whatever it contains. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function cli(command: string, flags: [string, string | undefined][]): string {
  const parts = [SEARCH_CLI, command];
  for (const [flag, value] of flags) if (value !== undefined) parts.push(flag, shellQuote(value));
  return parts.join(" ");
}

function seconds(n: number): string {
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`timeout must be a positive number of seconds, got ${n}`);
  return String(Math.ceil(n));
}
