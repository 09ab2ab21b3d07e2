/**
 * A periodic job as a systemd oneshot service and its timer: the platform's backups (ops/platform/timers.ts)
 * and the control plane's headnode backup (ops/controlplane/scripts.ts) both run this way. Unit file text,
 * not shell; pure.
 */
export interface TimerUnits {
    readonly service: string;
    readonly timer: string;
}

export interface TimerOptions {
    /** The timer's own description; default: the service's, with the period. */
    readonly timerDescription?: string;
    /** First run this long after the timer starts; default 5. */
    readonly firstRunAfterMinutes?: number;
}

/** A oneshot service running `execStart` and a timer running it every `periodMinutes`. */
export function timerUnits(
    unit: string,
    description: string,
    execStart: string,
    periodMinutes: number,
    envFile: string,
    options: TimerOptions = {},
): TimerUnits {
    if (!Number.isInteger(periodMinutes) || periodMinutes <= 0) throw new Error(`timerUnits: period must be whole minutes > 0, got ${periodMinutes}`);
    const service = `[Unit]
Description=${description}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
EnvironmentFile=-${envFile}
ExecStart=${execStart}
TimeoutStartSec=${periodMinutes}min
`;
    const timer = `[Unit]
Description=${options.timerDescription ?? `${description}, every ${periodMinutes} minutes`}

[Timer]
OnActiveSec=${options.firstRunAfterMinutes ?? 5}min
OnUnitActiveSec=${periodMinutes}min
AccuracySec=1min
Unit=${unit}.service

[Install]
WantedBy=timers.target
`;
    return { service, timer };
}
