/**
 * Running the real preflight CLI in a copy of the project: the sources and dist/ of the folders the build manifest
 * covers, the stack files and node_modules (linked), with the manifest recorded in the copy, so that other edits
 * of the shared tree never change what the dist check sees. A stand-in `pulumi` on PATH answers `pulumi version`:
 * the Pulumi CLI cannot be installed here, and the preflight only asks it for its version.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { BUILD_SCOPE } from "../../ops/preflight/build";
import { repoRoot } from "../../stacks/offline/root";

export interface ProjectCopy {
    readonly root: string;
    readonly cli: string;
    remove(): void;
}

export function copyProject(): ProjectCopy {
    const from = repoRoot();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-preflight-project-"));
    for (const f of ["Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml", "package.json"]) fs.copyFileSync(path.join(from, f), path.join(root, f));
    fs.symlinkSync(path.join(from, "node_modules"), path.join(root, "node_modules"));
    for (const dir of BUILD_SCOPE) {
        fs.cpSync(path.join(from, dir), path.join(root, dir), { recursive: true });
        fs.cpSync(path.join(from, "dist", dir), path.join(root, "dist", dir), { recursive: true });
    }
    const cli = path.join(root, "dist/cli/preflight.js");
    return { root, cli, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** A directory holding a stand-in `pulumi` (NOT the Pulumi CLI) that prints `version` and nothing else. */
export function standInPulumi(version: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-standin-pulumi-"));
    const script = [
        "#!/bin/sh",
        "# Stand-in for the Pulumi CLI in the preflight tests: answers `pulumi version` only.",
        `[ "$1" = version ] || exit 3`,
        `echo ${version}`,
    ].join("\n");
    fs.writeFileSync(path.join(dir, "pulumi"), script + "\n", { mode: 0o755 });
    return dir;
}

/** A stack file derived from the committed one, changed by `edit` (its `config:` map). */
export function stackFile(dir: string, stack: "prod" | "staging", edit: (config: Record<string, unknown>) => void): string {
    const doc = parse(fs.readFileSync(path.join(repoRoot(), `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    edit(doc.config);
    const file = path.join(dir, `Pulumi.${stack}-preflight-test.yaml`);
    fs.writeFileSync(file, stringify(doc));
    return file;
}

export interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** The report line of `check` (e.g. "aws", "ssh origin/a"), or undefined. */
    line(check: string): string | undefined;
}

/** Runs the CLI with exactly `env` (plus PATH and HOME) and the args; the outputs JSON goes in as a file. */
export function runPreflight(cli: string, args: readonly string[], env: NodeJS.ProcessEnv, outputs?: unknown): Promise<Run> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-preflight-run-"));
    const extra: string[] = [];
    if (outputs !== undefined) {
        fs.writeFileSync(path.join(dir, "outputs.json"), JSON.stringify(outputs));
        extra.push("--outputs", path.join(dir, "outputs.json"));
    }
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [cli, ...args, ...extra], {
            env: { HOME: os.homedir(), AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_EC2_METADATA_DISABLED: "true", ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            fs.rmSync(dir, { recursive: true, force: true });
            const lines = stdout.split("\n");
            resolve({
                code,
                stdout,
                stderr,
                line: (check) => lines.find((l) => new RegExp(`^(ok  |FAIL) ${check.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: `).test(l)),
            });
        });
    });
}

/** PATH with the stand-in pulumi first and the system tools (ssh) after. */
export function pathWith(dir: string): string {
    return `${dir}${path.delimiter}/usr/local/bin${path.delimiter}/usr/bin${path.delimiter}/bin`;
}
