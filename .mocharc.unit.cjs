// The fast tier (`npm run test:unit`): every test file that starts no real peer. A test file belongs
// to the peer tier when it loads, directly or through its helpers, a module that starts a real server
// (OpenSearch, PostgreSQL, moto, sshd, supervisord, Kraken origins): those are listed in PEER_MODULES.
// The split is computed from the compiled files' require() graph, so a new test lands in the right tier
// without being listed. `npm test` runs both tiers, as CI does.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "dist", "tests");
const PEER_MODULES = [
    /[\\/]peers[\\/][^\\/]+[\\/](harness|fault-proxy)\.js$/,
    /[\\/]search[\\/](cluster|secure-cluster|shared-cluster)\.js$/,
    /[\\/]status[\\/]peers\.js$/,
];

function walk(dir) {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const memo = new Map();
function startsPeers(file, seen = new Set()) {
    if (memo.has(file)) return memo.get(file);
    if (seen.has(file)) return false;
    seen.add(file);
    if (PEER_MODULES.some((re) => re.test(file))) return true;
    let text = "";
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        return false;
    }
    let found = false;
    for (const m of text.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
        let dep = path.resolve(path.dirname(file), m[1]);
        if (!dep.endsWith(".js")) dep = fs.existsSync(dep + ".js") ? dep + ".js" : path.join(dep, "index.js");
        if (dep.startsWith(root) && startsPeers(dep, seen)) {
            found = true;
            break;
        }
    }
    memo.set(file, found);
    return found;
}

const unit = walk(root).filter((f) => f.endsWith(".test.js") && !startsPeers(f));
module.exports = { spec: unit.sort(), timeout: 20000, reporter: "dot" };
