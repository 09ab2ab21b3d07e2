/**
 * The shell text a program registers, and the two checks every such text must pass: `bash -n` (it parses) and
 * shellcheck (Debian's package, a real peer installed by tests/peers/install.sh). Shared by the golden-file and
 * shellcheck tests of tests/scripts, tests/platform and tests/emergency, so "every registered script" means the same
 * set everywhere: the create, update, delete and stdin of every command:remote:Command and command:local:Command, and
 * the user data of every instance and launch template (decoded when it is base64).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { StackGraph, UNKNOWN, evaluateStack } from "../../stacks/offline/evaluate";
import { readStackFile } from "../../stacks/offline/stackfile";
import { stackFile } from "./graph";

export interface RegisteredScript {
    /** `<label>: <type> <name> .<field>`: where the text is registered. */
    readonly where: string;
    readonly text: string;
}

const COMMAND_FIELDS = ["create", "update", "delete", "stdin"] as const;
const USER_DATA_FIELDS = ["userData", "userDataBase64"] as const;
const USER_DATA_TYPES = new Set(["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"]);

/** A launch template's user data is base64 (the EC2 API's form); an instance's may be either. */
function decoded(field: string, type: string, text: string): string {
    const base64 = field === "userDataBase64" || (type === "aws:ec2/launchTemplate:LaunchTemplate" && /^[A-Za-z0-9+/]+={0,2}$/.test(text.trim()));
    return base64 ? Buffer.from(text, "base64").toString("utf8") : text;
}

/** Every shell text of a graph, in registration order. Values unknown at preview are left out (nothing to check). */
export function registeredScripts(g: StackGraph, label: string): RegisteredScript[] {
    const out: RegisteredScript[] = [];
    for (const r of g.resources) {
        const isCommand = r.type === "command:remote:Command" || r.type === "command:local:Command";
        if (!isCommand && !USER_DATA_TYPES.has(r.type)) continue;
        for (const f of isCommand ? COMMAND_FIELDS : USER_DATA_FIELDS) {
            const v = r.inputs[f];
            if (typeof v !== "string" || v.trim() === "" || v === UNKNOWN) continue;
            out.push({ where: `${label}: ${r.type} ${r.name} .${f}`, text: decoded(f, r.type, v) });
        }
    }
    return out;
}

export type Mode = "known" | "preview";

/** Both committed stacks, each as a first deployment with known values and as a first `pulumi preview`. */
export const STACK_MODES: ReadonlyArray<{ stack: "prod" | "staging"; mode: Mode }> = [
    { stack: "prod", mode: "known" },
    { stack: "prod", mode: "preview" },
    { stack: "staging", mode: "known" },
    { stack: "staging", mode: "preview" },
];

const graphs = new Map<string, Promise<StackGraph>>();

/** The graph of a committed stack in one mode, evaluated once per process. */
export function stackInMode(stack: "prod" | "staging", mode: Mode): Promise<StackGraph> {
    const key = `${stack}.${mode}`;
    let g = graphs.get(key);
    if (!g) {
        g = evaluateStack({ stack, config: readStackFile(stackFile(stack)), preview: mode === "preview" });
        graphs.set(key, g);
    }
    return g;
}

/** Fails (never skips) when shellcheck is missing: it is a real peer of the suite. */
export function requireShellcheck(): void {
    try {
        execFileSync("shellcheck", ["--version"], { stdio: "ignore" });
    } catch {
        throw new Error("shellcheck is not installed: run `bash tests/peers/install.sh` as root (apt-get install shellcheck)");
    }
}

/**
 * shellcheck's findings for one script, at every level (style included), as bash: the interpreter of every command
 * resource and user data. A text without a shebang (a command line) is checked as a bash script. Empty: no finding.
 */
export function shellcheck(text: string): string {
    const input = text.startsWith("#!") ? text : `#!/bin/bash\n${text}`;
    const r = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "--format=gcc", "-"], { input, encoding: "utf8" });
    if (r.error) throw r.error;
    return r.status === 0 ? "" : r.stdout || r.stderr || `shellcheck exited ${r.status}`;
}

/** `bash -n`: the text parses. Empty: it does; otherwise bash's message. */
export function bashSyntax(text: string): string {
    const r = spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });
    if (r.error) throw r.error;
    return r.status === 0 ? "" : r.stderr || `bash -n exited ${r.status}`;
}

/** The findings of both checks over distinct texts, one entry per script with a finding. */
export function checkScripts(scripts: Iterable<RegisteredScript>): { checked: number; findings: string[] } {
    const seen = new Set<string>();
    const findings: string[] = [];
    for (const s of scripts) {
        if (seen.has(s.text)) continue;
        seen.add(s.text);
        const syntax = bashSyntax(s.text);
        if (syntax) findings.push(`${s.where}: bash -n\n${syntax}`);
        const lint = shellcheck(s.text);
        if (lint) findings.push(`${s.where}: shellcheck\n${lint}`);
    }
    return { checked: seen.size, findings };
}
