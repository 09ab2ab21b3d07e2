/**
 * A real supervisord (PyPI's `supervisor`, installed by tests/peers/supervisor/install.sh into
 * ~/.cache/dataplat/supervisor-venv) with trivial stand-in programs, its own config, socket and log in a temp dir.
 * Fails (never skips) with the install script when supervisor is missing.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const SUPERVISOR_INSTALL = "bash tests/peers/supervisor/install.sh";
const VENV = process.env.DATAPLAT_SUPERVISOR_VENV ?? path.join(os.homedir(), ".cache/dataplat/supervisor-venv");

export interface StandIn {
    readonly name: string;
    /** Ignores SIGTERM and is given stopwaitsecs seconds: a program that will not stop in time. */
    readonly stubborn?: boolean;
}

export interface SupervisorPeer {
    /** The supervisord.conf (what `supervisorctl -c` takes). */
    readonly config: string;
    /** supervisord's log: `stopped: NAME` / `spawned: 'NAME'` lines in order. */
    log(): string;
    /** Stop and start events in the order supervisord logged them, e.g. `stop gunicorn`. */
    events(): string[];
    ctl(...args: string[]): string;
    stop(): void;
}

export function startSupervisor(programs: readonly StandIn[]): SupervisorPeer {
    const supervisord = path.join(VENV, "bin/supervisord");
    const supervisorctl = path.join(VENV, "bin/supervisorctl");
    // The scripts under test run `supervisorctl` on the "host" over ssh: it must be on a login shell's PATH.
    if (!fs.existsSync(supervisord) || !fs.existsSync("/usr/local/bin/supervisorctl"))
        throw new Error(`supervisor is not installed: run ${SUPERVISOR_INSTALL}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-supervisor-"));
    const config = path.join(dir, "supervisord.conf");
    const logFile = path.join(dir, "supervisord.log");
    const sections = programs.map((p) =>
        [
            `[program:${p.name}]`,
            `command=/bin/bash -c ${p.stubborn ? "'trap \"\" TERM; while :; do sleep 1; done'" : "'exec sleep 100000'"}`,
            "autostart=true",
            "autorestart=false",
            "startsecs=1",
            `stopwaitsecs=${p.stubborn ? 30 : 5}`,
            `stdout_logfile=${path.join(dir, `${p.name}.out`)}`,
            "redirect_stderr=true",
        ].join("\n"),
    );
    fs.writeFileSync(
        config,
        [
            "[unix_http_server]",
            `file=${path.join(dir, "supervisor.sock")}`,
            "[supervisord]",
            `logfile=${logFile}`,
            `pidfile=${path.join(dir, "supervisord.pid")}`,
            "loglevel=info",
            `childlogdir=${dir}`,
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
            "[supervisorctl]",
            `serverurl=unix://${path.join(dir, "supervisor.sock")}`,
            ...sections,
            "",
        ].join("\n"),
    );
    execFileSync(supervisord, ["-c", config]);
    const ctl = (...args: string[]): string => {
        try {
            return execFileSync(supervisorctl, ["-c", config, ...args], { encoding: "utf8" });
        } catch (e) {
            return String((e as { stdout?: string }).stdout ?? "");
        }
    };
    // Until every program is RUNNING (startsecs=1).
    for (let i = 0; i < 100; i++) {
        const status = ctl("status");
        if (programs.every((p) => new RegExp(`^${p.name}\\s+RUNNING`, "m").test(status))) break;
        execFileSync("sleep", ["0.2"]);
    }
    const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
    return {
        config,
        log,
        events: () => [...log().matchAll(/ (stopped|spawned): '?([A-Za-z0-9_.@:-]+)'?/g)].map((m) => `${m[1] === "stopped" ? "stop" : "start"} ${m[2]}`),
        ctl,
        stop: () => {
            const pid = Number(fs.readFileSync(path.join(dir, "supervisord.pid"), "utf8"));
            try {
                process.kill(pid, "SIGTERM");
            } catch {
                /* already gone */
            }
        },
    };
}
