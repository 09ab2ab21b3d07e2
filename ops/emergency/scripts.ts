/**
 * The scripts the emergency's command resources run (stacks/sections/emergency.ts): the stop (create of
 * `stop-<step>`) and the resume (delete of `resume-<step>`) of each step. Pure text from ops/platform/bash.ts's
 * helpers and the shell toolkit (ops/shared/shell.ts): every value is quoted by `sh`. The hosts, fleets, key and endpoint come from the resource's
 * environment (EMERGENCY_ENV), so the text is the same at preview and in the tests that run it.
 *
 * Every script fails closed: an unreachable host, a program that does not exist or does not reach the wanted state
 * within processTimeoutSeconds, a gate that is not reached within its timeout: exit non-zero with a message naming
 * the step and the host, and nothing after that point is changed (batches stop at the first failed batch).
 */
import { AWS_FUNCTIONS, WORKDIR, prelude } from "../platform/bash";
import { int, raw, sh } from "../shared/shell";
import type { EmergencyConfig, ProcessKind } from "./config";
import { Gate, RESUME_GATES, StepName, STEP_TITLES } from "./steps";

/** The environment variables the scripts read. */
export const EMERGENCY_ENV = {
    /** The private key of dataplat:sshPrivateKey (PEM text). */
    sshKey: "EMERGENCY_SSH_KEY",
    /** One `name address` line per host, in order. */
    targets: "EMERGENCY_TARGETS",
    /** One `name fleet-id target-capacity` line per ETL fleet. */
    fleets: "EMERGENCY_FLEETS",
} as const;

/** The gate CLI, relative to the repository root (the project directory, where command resources run). */
export const EMERGENCY_CLI = "node dist/cli/emergency.js";

/** A create or delete that does nothing. */
export const NOOP = "true";

/** The gate command a resume runs first (cli/emergency.ts; the endpoint is $SEARCH_ENDPOINT). */
export function gateCommand(step: string, gate: Gate, c: Pick<EmergencyConfig, "gates" | "recentIndexes">): string {
    const common = sh`${raw(EMERGENCY_CLI)} gate --step ${step} --timeout ${int(c.gates.timeoutSeconds)} --poll ${int(c.gates.pollSeconds)}`;
    if (gate.kind === "cluster") return sh`${raw(common)} --status ${raw(gate.status)}`;
    return sh`${raw(common)} --recent ${c.recentIndexes.patterns.join(",")} --window-hours ${int(c.recentIndexes.windowHours)}`;
}

interface Remote {
    readonly stop: string;
    readonly start: string;
    readonly status: string;
}

/** The remote command lines (what ssh hands to the host's shell). */
function remoteCommands(kind: ProcessKind, name: string, ssh: EmergencyConfig["ssh"]): Remote {
    const sudo = raw(ssh.sudo ? "sudo -n " : "");
    if (kind === "supervisor") {
        const ctl = raw(sh`${sudo}supervisorctl${raw(ssh.supervisorConfig ? sh` -c ${ssh.supervisorConfig}` : "")}`);
        return { stop: sh`${ctl} stop ${name}`, start: sh`${ctl} start ${name}`, status: sh`${ctl} status ${name}` };
    }
    return {
        stop: sh`${sudo}systemctl stop ${name}`,
        start: sh`${sudo}systemctl start ${name}`,
        status: sh`systemctl show --property=LoadState --value ${name} && systemctl is-active ${name}`,
    };
}

/** ssh with the key from the environment, no prompts, bounded connect time. */
const SSH_FUNCTIONS = sh`[[ -n "\${${raw(EMERGENCY_ENV.sshKey)}:-}" ]] || die "$step: ${raw(EMERGENCY_ENV.sshKey)} is not set (dataplat:sshPrivateKey)"
(umask 077 && printf '%s\n' "$${raw(EMERGENCY_ENV.sshKey)}" > "$work/key")
ssh_cmd=(ssh -i "$work/key" -p "$ssh_port" -o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="$work/known_hosts" -o LogLevel=ERROR)
`;

/**
 * \`state_of ADDRESS\` prints running|stopped|starting|stopping|missing, or \`unreachable: ...\`/\`unknown: ...\`.
 */
function stateFunction(kind: ProcessKind): string {
    const parse =
        kind === "supervisor"
            ? sh`  case "$out" in
    *"no such process"*) echo missing; return ;;
  esac
  case "$(awk 'NR==1 {print $2}' <<<"$out")" in
    RUNNING) echo running ;;
    STOPPED|EXITED|FATAL) echo stopped ;;
    STARTING|BACKOFF) echo starting ;;
    STOPPING) echo stopping ;;
    *) echo "unknown: $(tr '\n' ' ' <<<"$out")" ;;
  esac`
            : sh`  case "$(sed -n 1p <<<"$out")" in
    not-found) echo missing; return ;;
  esac
  case "$(sed -n 2p <<<"$out")" in
    active) echo running ;;
    inactive|failed) echo stopped ;;
    activating|reloading) echo starting ;;
    deactivating) echo stopping ;;
    *) echo "unknown: $(tr '\n' ' ' <<<"$out")" ;;
  esac`;
    return sh`state_of() {
  local out rc=0
  out=$(timeout "$process_timeout" "\${ssh_cmd[@]}" "$ssh_user@$1" "$remote_status" 2>&1) || rc=$?
  if (( rc == 255 || rc == 124 )); then echo "unreachable: $(tr '\n' ' ' <<<"$out")"; return; fi
${raw(parse)}
}
`;
}

/** `act_on stop|start NAME ADDRESS`: one host, waits for the wanted state; dies naming the step and host. */
const ACT_FUNCTION = sh`act_on() {
  local action=$1 name=$2 addr=$3 want remote state out deadline
  if [[ "$action" == stop ]]; then want=stopped remote=$remote_stop; else want=running remote=$remote_start; fi
  state=$(state_of "$addr")
  case "$state" in
    unreachable*) die "$step: host $name ($addr): cannot reach it over ssh: \${state#unreachable: }" ;;
    missing) die "$step: host $name ($addr): there is no $kind program $program" ;;
    unknown*) die "$step: host $name ($addr): cannot read the state of $program: \${state#unknown: }" ;;
  esac
  if [[ "$state" == "$want" ]]; then
    log "$step: $program on $name is already $want"
    return 0
  fi
  log "$step: $action $program on $name ($addr)"
  out=$(timeout "$process_timeout" "\${ssh_cmd[@]}" "$ssh_user@$addr" "$remote" 2>&1) || log "$step: $action $program on $name answered: $(tr '\n' ' ' <<<"$out")"
  deadline=$(( SECONDS + process_timeout ))
  while :; do
    state=$(state_of "$addr")
    if [[ "$state" == "$want" ]]; then
      log "$step: $program on $name is $want"
      return 0
    fi
    case "$state" in unreachable*|missing|unknown*) die "$step: host $name ($addr): $program: $state" ;; esac
    if (( SECONDS >= deadline )); then
      die "$step: host $name ($addr): $program is still $state after \${process_timeout}s"
    fi
    log "$step: $program on $name is $state; waiting ($(( deadline - SECONDS ))s left)"
    sleep "$poll_seconds"
  done
}

# act_in_batches stop|start: every host of $${raw(EMERGENCY_ENV.targets)}, batch_size at a time; a failed batch ends the run.
act_in_batches() {
  local action=$1 i j line name addr
  local -a targets=() pids names failed
  while IFS= read -r line; do [[ -z "$line" ]] || targets+=("$line"); done <<<"\${${raw(EMERGENCY_ENV.targets)}:-}"
  if (( \${#targets[@]} == 0 )); then
    log "$step: no host; nothing to do"
    return 0
  fi
  for (( i = 0; i < \${#targets[@]}; i += batch_size )); do
    pids=() names=() failed=()
    for line in "\${targets[@]:i:batch_size}"; do
      read -r name addr <<<"$line"
      [[ -n "$addr" ]] || die "$step: host $name has no address"
      act_on "$action" "$name" "$addr" &
      pids+=("$!")
      names+=("$name")
    done
    for j in "\${!pids[@]}"; do wait "\${pids[$j]}" || failed+=("\${names[$j]}"); done
    if (( \${#failed[@]} > 0 )); then
      die "$step: failed on host(s) \${failed[*]}; the hosts after this batch were not touched"
    fi
  done
}
`;

export interface ProcessStep {
    readonly step: "balancer" | "frontend" | "ingestion";
    readonly kind: ProcessKind;
    readonly name: string;
    readonly batchSize: number;
}

type ScriptConfig = Pick<EmergencyConfig, "ssh" | "gates" | "recentIndexes" | "processTimeoutSeconds">;

function processScript(role: "stop" | "resume", p: ProcessStep, c: ScriptConfig): string {
    const title = role === "stop" ? STEP_TITLES[p.step].stop : STEP_TITLES[p.step].resume;
    const remote = remoteCommands(p.kind, p.name, c.ssh);
    const gate = RESUME_GATES[p.step];
    return (
        prelude(`emergency-${role}-${p.step}`, [
            `${title}: ${role === "stop" ? "stop" : "start"} ${p.kind} ${p.name} on every host of $${EMERGENCY_ENV.targets}, ${p.batchSize} at a time.`,
            ...(role === "resume"
                ? [`First waits until ${gate.kind === "cluster" ? `the search cluster is at least ${gate.status}` : "the recent indexes are green"}.`]
                : []),
        ]) +
        sh`readonly step=${`${role} ${p.step}`} kind=${p.kind} program=${p.name} batch_size=${int(p.batchSize)}
readonly ssh_user=${c.ssh.user} ssh_port=${int(c.ssh.port)} process_timeout=${int(c.processTimeoutSeconds)} poll_seconds=2
readonly remote_stop=${remote.stop} remote_start=${remote.start} remote_status=${remote.status}
${raw(WORKDIR)}${raw(SSH_FUNCTIONS)}${raw(stateFunction(p.kind))}${raw(ACT_FUNCTION)}` +
        (role === "resume"
            ? sh`log "$step: waiting for the gate before anything is started"
${raw(gateCommand(`resume ${p.step}`, gate, c))} || die "$step: the gate was not reached; nothing was started"
act_in_batches start
`
            : sh`act_in_batches stop
`) +
        sh`log "$step: done"
`
    );
}

export const processStopScript = (p: ProcessStep, c: ScriptConfig): string => processScript("stop", p, c);
export const processResumeScript = (p: ProcessStep, c: ScriptConfig): string => processScript("resume", p, c);

const FLEET_FUNCTION = sh`set_capacity() {
  local name=$1 id=$2 capacity=$3 out state total deadline
  log "$step: fleet $name ($id): target capacity $capacity"
  aws_cli ec2 modify-fleet --fleet-id "$id" --target-capacity-specification "TotalTargetCapacity=$capacity" >/dev/null || die "$step: fleet $name ($id): modify-fleet to $capacity was refused"
  deadline=$(( SECONDS + fleet_timeout ))
  while :; do
    out=$(aws_cli ec2 describe-fleets --fleet-ids "$id" --query 'Fleets[0].[FleetState,TargetCapacitySpecification.TotalTargetCapacity]' --output text) || die "$step: fleet $name ($id): cannot describe it"
    read -r state total <<<"$out"
    if [[ "$state" != modifying && "$total" == "$capacity" ]]; then
      log "$step: fleet $name is $state at target $total"
      return 0
    fi
    (( SECONDS < deadline )) || die "$step: fleet $name ($id): still $state at target $total after \${fleet_timeout}s"
    log "$step: fleet $name is $state at target $total; waiting"
    sleep 5
  done
}
`;

/**
 * "Stopping ETL" / "Resume ETL": each fleet of $EMERGENCY_FLEETS to target 0 (stop) or to the target its configured
 * budget plans (resume, after the recent indexes are green). The budgets stay in config throughout.
 */
export function etlScript(role: "stop" | "resume", c: ScriptConfig): string {
    const title = role === "stop" ? STEP_TITLES.etl.stop : STEP_TITLES.etl.resume;
    return (
        prelude(`emergency-${role}-etl`, [
            `${title}: every fleet of $${EMERGENCY_ENV.fleets} to ${role === "stop" ? "target capacity 0" : "its planned target capacity"}.`,
        ]) +
        sh`readonly step=${`${role} etl`} fleet_timeout=${int(c.processTimeoutSeconds)}
${raw(AWS_FUNCTIONS)}${raw(FLEET_FUNCTION)}` +
        (role === "resume"
            ? sh`log "$step: waiting for the gate before any fleet grows"
${raw(gateCommand("resume etl", RESUME_GATES.etl, c))} || die "$step: the gate was not reached; every fleet stays at 0"
`
            : "") +
        sh`while read -r name id ${raw(role === "stop" ? "_" : "target")}; do
  [[ -n "$name" ]] || continue
  set_capacity "$name" "$id" ${raw(role === "stop" ? "0" : `"$target"`)}
done <<<"\${${raw(EMERGENCY_ENV.fleets)}:-}"
log "$step: done"
`
    );
}

/** The stop (create) and resume (delete) script of a step. */
export function stepScripts(
    step: StepName,
    targets: { kind: ProcessKind; name: string; batchSize: number },
    c: ScriptConfig,
): { stop: string; resume: string } {
    if (step === "etl") return { stop: etlScript("stop", c), resume: etlScript("resume", c) };
    const p: ProcessStep = { step, ...targets };
    return { stop: processStopScript(p, c), resume: processResumeScript(p, c) };
}
