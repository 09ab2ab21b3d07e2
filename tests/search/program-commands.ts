// The command strings that `pulumi up` would run for the test cluster's shape (tests/search/cluster.ts: master cm,
// backup nodes backup-a and backup-b, spot node spot-a, replicas 1), taken from the program evaluated under Pulumi's
// mocks (the staging stack with its search section replaced by that shape). The integration tests run these very
// strings, with the interpreter, working directory and environment the command resource registers; only the
// secret endpoint (redacted in the graph) is replaced by the test cluster's own.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { evaluateDoc, stackDoc } from "../support/graph";
import { openSearchVersion } from "./cluster";
import { CommandResult, runCommand } from "./run-command";

export interface ProgramCommand {
    readonly name: string;
    readonly create?: string;
    readonly delete?: string;
}

export interface NodeCommands {
    readonly undrain?: ProgramCommand;
    readonly drain?: ProgramCommand;
    readonly bounce: ProgramCommand;
    /** Private IP the program gave the node's instance (the bounce's SSH target). */
    readonly ip: string;
}

export interface ProgramCommands {
    readonly ready: ProgramCommand;
    readonly nodes: Record<string, NodeCommands>;
}

export interface ProgramOptions {
    readonly timeouts?: Partial<Record<"readySeconds" | "joinSeconds" | "drainSeconds" | "bounceSeconds", number>>;
    readonly drain?: { nodeConcurrentRecoveries?: number; maxBytesPerSec?: string };
    /** Generation per node config name (default 0). */
    readonly generations?: Record<string, number>;
    readonly awareness?: boolean;
}

const PREFIX = "activedata-stg";
const cache = new Map<string, Promise<ProgramCommands>>();

/** The test cluster's shape as a `search` section of the staging stack. */
export function testClusterSection(o: ProgramOptions = {}, heap = "256m"): Record<string, unknown> {
    const n = (name: string) => ({ name, instanceType: "m6i.large", heap, volumeSizeGiB: 8, subnet: 0, generation: o.generations?.[name] ?? 0 });
    return {
        clusterName: "dataplat-test",
        engine: { distribution: "opensearch", version: openSearchVersion() },
        image: "ami-0123456789abcdef0",
        masters: [n("cm")],
        backupNodes: [n("backup-a"), n("backup-b")],
        spotNodes: [n("spot-a")],
        replicas: 1,
        zones: { awareness: o.awareness ?? false },
        timeouts: o.timeouts ?? {},
        drain: o.drain ?? {},
    };
}

/** Evaluates the program for the test cluster's shape (memoized) and returns its command resources. */
export function programCommands(o: ProgramOptions = {}): Promise<ProgramCommands> {
    const key = JSON.stringify(o);
    let p = cache.get(key);
    if (!p) {
        const doc = (heap: string) => {
            const d = stackDoc("staging");
            for (const k of ["dataplat:origin", "dataplat:spotFleets", "dataplat:platform", "dataplat:controlPlane"]) delete d.config[k];
            d.config["dataplat:search"] = testClusterSection(o, heap);
            d.config["dataplat:sshPrivateKey"] = { secure: "v1:dGVzdC1rZXk=" };
            return d;
        };
        // The update that changes every node's heap from 320m (what the nodes booted with) to 256m (the test cluster's
        // heap): a node has a bounce Command only then; drains, undrains and ready are the same as at first deployment.
        p = evaluateDoc(doc("256m"), doc("320m"), "staging").then(read);
        cache.set(key, p);
    }
    return p;
}

function read(g: StackGraph): ProgramCommands {
    // Node commands are named from the node's identity: <prefix>-search-<node>-g<generation>-<8 hex>-<kind>.
    const find = (name: string): GraphResource | undefined =>
        g.resources.find((r) => r.type === "command:local:Command" && r.name.replace(/-g\d+-[0-9a-f]{8}(?=-)/, "") === `${PREFIX}-search-${name}`);
    const command = (name: string): ProgramCommand | undefined => {
        const r = find(name);
        if (!r) return undefined;
        // What the provider runs: bash -c, in the project directory (no dir), with the endpoint in the environment.
        assert.deepEqual(r.inputs.interpreter, ["/bin/bash", "-c"], r.name);
        assert.equal(r.inputs.dir, undefined, r.name);
        assert.equal(r.inputs.environment, "[secret]", `${r.name}: the endpoint is a secret`);
        return {
            name: r.name,
            ...(typeof r.inputs.create === "string" ? { create: r.inputs.create } : {}),
            ...(typeof r.inputs.delete === "string" ? { delete: r.inputs.delete } : {}),
        };
    };
    const ips = (g.outputs.search as { nodeIps: Record<string, string> }).nodeIps;
    const nodes: Record<string, NodeCommands> = {};
    for (const name of ["cm", "backup-a", "backup-b", "spot-a"]) {
        const undrain = command(`${name}-undrain`);
        const drain = command(`${name}-drain`);
        nodes[name] = { ...(undrain ? { undrain } : {}), ...(drain ? { drain } : {}), bounce: command(`${name}-bounce`)!, ip: ips[name]! };
    }
    return { ready: command("ready")!, nodes };
}

/** Runs the create or delete step of a program command against the test cluster. */
export function runStep(c: ProgramCommand, step: "create" | "delete", endpoint: string, opts: Parameters<typeof runCommand>[2] = {}): Promise<CommandResult> {
    const script = c[step];
    assert.ok(script !== undefined, `${c.name} has no ${step} step`);
    return runCommand(script, endpoint, opts);
}

/**
 * A stand-in `ssh` on PATH for the bounces: records its arguments and the key it was handed, then runs the local
 * script mapped to the target's IP (the test node's restart script), as sshd would run the remote command.
 */
export class SshStandIn {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-ssh-"));
    private readonly targets = path.join(this.dir, "targets");
    readonly log = path.join(this.dir, "log");

    constructor() {
        fs.writeFileSync(
            path.join(this.dir, "ssh"),
            `#!/usr/bin/env bash
key=""; opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    -i) key="$2"; shift 2 ;;
    -o) opts+=("$2"); shift 2 ;;
    *) break ;;
  esac
done
target="$1"; shift
{
  printf 'target=%s\\n' "$target"
  printf 'options=%s\\n' "\${opts[*]}"
  printf 'remote=%s\\n' "$*"
  printf 'keyfile=%s\\n' "$key"
  if [ -n "$key" ]; then printf 'keymode=%s\\n' "$(stat -c %a "$key")"; printf 'keysha=%s\\n' "$(sha256sum <"$key" | cut -d' ' -f1)"; fi
} >>${JSON.stringify(this.log)}
script="$(awk -v h="\${target#*@}" '$1 == h { $1 = ""; sub(/^ /, ""); print }' ${JSON.stringify(this.targets)})"
[ -n "$script" ] || { echo "ssh stand-in: no route to $target" >&2; exit 255; }
bash -c "$script"
`,
            { mode: 0o755 },
        );
        fs.writeFileSync(this.targets, "");
    }

    /** `ip` runs `script` (a shell command line) when the bounce connects to it. */
    route(ip: string, script: string): void {
        fs.appendFileSync(this.targets, `${ip} ${script}\n`);
    }

    /** What each connection recorded, as key=value maps. */
    calls(): Record<string, string>[] {
        if (!fs.existsSync(this.log)) return [];
        const calls: Record<string, string>[] = [];
        for (const line of fs.readFileSync(this.log, "utf8").split("\n").filter(Boolean)) {
            const [k, ...v] = line.split("=");
            if (k === "target") calls.push({});
            calls[calls.length - 1]![k!] = v.join("=");
        }
        return calls;
    }

    /** Environment for runCommand: the stand-in first on PATH, and the key the program hands over. */
    env(sshKey: string): NodeJS.ProcessEnv {
        return { PATH: `${this.dir}:${process.env.PATH}`, SEARCH_SSH_KEY: sshKey };
    }

    close(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
