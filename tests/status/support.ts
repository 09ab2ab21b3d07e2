/**
 * Running the real status CLI (dist/cli/status.js) for the tests: a stack file derived from the committed prod one
 * (aws:region set to moto's us-east-1, sections edited per test), the outputs as a file, and exactly the
 * environment given (plus HOME; no shared AWS config, no instance metadata).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { repoRoot } from "../../stacks/offline/root";

export const STATUS_CLI = path.join(repoRoot(), "dist", "cli", "status.js");

/** Pulumi.prod.yaml with aws:region us-east-1, changed by `edit` (its `config:` map, keys with the dataplat: prefix). */
export function stackFile(dir: string, name: string, edit: (config: Record<string, any>) => void = () => {}): string {
    const doc = parse(fs.readFileSync(path.join(repoRoot(), "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, any> };
    doc.config["aws:region"] = "us-east-1";
    edit(doc.config);
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, stringify(doc));
    return file;
}

export interface StatusRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly ms: number;
}

export function runStatusCli(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<StatusRun> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [STATUS_CLI, ...args], {
            cwd: repoRoot(),
            env: {
                HOME: os.homedir(),
                PATH: process.env.PATH,
                AWS_CONFIG_FILE: "/dev/null",
                AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
                AWS_EC2_METADATA_DISABLED: "true",
                ...env,
            },
            stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
        child.stdin.end(stdin ?? "");
    });
}

export function writeJson(dir: string, name: string, value: unknown): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
}

/** The findings of a --json run as `level check subject` lines, for assertions that name what was found. */
export function findingLines(stdout: string, section?: string): string[] {
    const report = JSON.parse(stdout) as { findings: { section: string; check: string; subject: string; level: string }[] };
    return report.findings.filter((f) => section === undefined || f.section === section).map((f) => `${f.level} ${f.check} ${f.subject}`);
}
