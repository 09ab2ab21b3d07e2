// The fast tier, `npm run test:unit` (under 60 s on 2 cores): the decisions in ops/ and the runners' fakes, the
// checks over recorded API responses, the policy rules, the synth record of both stacks, and the tests under
// Pulumi's mocks that cost a few seconds. `npm test` runs everything, as CI does.
//
// A test file is left to the full tier when it, directly or through its helpers:
// - starts a real peer (OpenSearch, PostgreSQL, moto, sshd, supervisord, Kraken): PEER_MODULES;
// - spawns a process (a CLI, bash, shellcheck): it requires node:child_process;
// - or is listed in UNDER_MOCKS_BUT_SLOW: program evaluations that take more than a few seconds per file (the
//   property walk over config edits takes minutes). Move a file there when the fast tier passes 60 s.
// A new test lands in the fast tier unless one of these applies, without being listed.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "dist", "tests");
const PEER_MODULES = [/[\\/]peers[\\/][^\\/]+[\\/](harness|fault-proxy)\.js$/, /[\\/]search[\\/](cluster|secure-cluster|shared-cluster)\.js$/];
const UNDER_MOCKS_BUT_SLOW = [
    "walk/config-edits-keep-invariants",
    "origin-cluster/origin-cluster-rolls-out-and-repairs-in-runbook-order",
    "preview/refusals-come-before-the-first-resource",
    "controlplane-component/headnode-backup-and-recovery-wiring",
    "search-cluster/updates-replace-one-node-and-bounce-in-place",
    "spot-fleet/price-moves-never-shrink-the-fleet",
    "foundation/config-validation",
    "plan/plan-reads-like-the-runbook-in-engine-order",
    "emergency/plan-shows-the-switch-in-the-runbooks-words",
    "emergency/switch-stops-and-resumes-in-the-runbooks-orders",
    "search-cluster/guardrails-refuse-at-preview",
    "platform-component/guardrails-refuse-unsafe-platform-changes",
    "platform-component/backups-run-from-timers-installed-by-commands",
    "engine/stack-updates",
    "engine/replacement-keys-follow-the-provider",
    "controlplane/backup-stamp-chosen-on-purpose",
    "platform-component/worker-replacement-touches-only-that-worker",
    "emergency/gates-trust-the-search-ca-with-tls",
    "search-cluster/drains-are-tied-to-their-instance",
    "spot-fleet/budget-and-capacity-changes-modify-the-fleet-in-place",
];

function walk(dir) {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const memo = new Map();
/** Whether a compiled file starts a peer or spawns a process, itself or through the test helpers it requires. */
function slow(file, seen = new Set()) {
    if (memo.has(file)) return memo.get(file);
    if (seen.has(file)) return false;
    seen.add(file);
    if (PEER_MODULES.some((re) => re.test(file))) return true;
    const text = fs.readFileSync(file, "utf8");
    let found = /require\("(node:)?child_process"\)/.test(text);
    for (const m of found ? [] : text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
        let dep = path.resolve(path.dirname(file), m[1]);
        if (!dep.endsWith(".js")) dep = fs.existsSync(dep + ".js") ? dep + ".js" : path.join(dep, "index.js");
        if (dep.startsWith(root) && fs.existsSync(dep) && slow(dep, seen)) {
            found = true;
            break;
        }
    }
    memo.set(file, found);
    return found;
}

const listed = (f) => UNDER_MOCKS_BUT_SLOW.some((name) => f.endsWith(path.join(...name.split("/")) + ".test.js"));
const unit = walk(root).filter((f) => f.endsWith(".test.js") && !listed(f) && !slow(f));
module.exports = { spec: unit.sort(), timeout: 20000, reporter: "dot" };
