// The SSH check against a real sshd on loopback (tests/peers/sshd): the host is the exported origin address, the
// user and port come from the stack file's origin.ssh, the key from $DATAPLAT_SSH_KEY. The key sshd accepts
// passes (and the whole preflight exits 0, moto standing in for STS); another key, a closed port and no key
// fail with what to fix and exit 1.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type MotoPeer, startMoto } from "../peers/moto/harness";
import { freePort } from "../peers/postgres/harness";
import { type KeyPair, makeKeyPair, type SshdPeer, startSshd } from "../peers/sshd/harness";
import { copyProject, pathWith, type ProjectCopy, runPreflight, stackFile, standInPulumi } from "./support";

describe("preflight: every host answers on SSH with the configured key", function () {
    this.timeout(120_000);
    let sshd: SshdPeer;
    let moto: MotoPeer;
    let project: ProjectCopy;
    let pulumiDir: string;
    let tmp: string;
    let accepted: KeyPair;
    let other: KeyPair;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-preflight-ssh-"));
        accepted = makeKeyPair(tmp, "accepted");
        other = makeKeyPair(tmp, "other");
        sshd = await startSshd([accepted.publicKey]);
        moto = await startMoto();
        project = copyProject();
        pulumiDir = standInPulumi("v3.214.0");
        const recorded = await runPreflight(project.cli, ["--record-build"], { PATH: pathWith(pulumiDir) });
        assert.equal(recorded.code, 0, recorded.stderr);
    });
    after(async () => {
        await sshd?.stop();
        await moto?.stop();
        project?.remove();
        if (pulumiDir) fs.rmSync(pulumiDir, { recursive: true, force: true });
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const run = (port: number, key: string | undefined) => {
        const file = stackFile(tmp, "staging", (c) => {
            (c["dataplat:origin"] as Record<string, unknown>).ssh = { user: sshd.user, port };
        });
        const env: NodeJS.ProcessEnv = { ...moto.env, PATH: pathWith(pulumiDir), ...(key !== undefined ? { DATAPLAT_SSH_KEY: key } : {}) };
        if (key === undefined) delete env.DATAPLAT_SSH_KEY;
        return runPreflight(project.cli, ["--stack", "staging", "--config", file], env, { origin: { hostIps: { "origin-a": "127.0.0.1" } } });
    };

    it("the key sshd accepts passes, and the whole preflight exits 0", async () => {
        const r = await run(sshd.port, accepted.privateKey);
        assert.equal(r.line("ssh origin/origin-a"), `ok   ssh origin/origin-a: ${sshd.user}@127.0.0.1:${sshd.port} accepted the key`);
        assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    it("a key sshd refuses fails, saying to authorize the configured key, and exits 1", async () => {
        const r = await run(sshd.port, other.privateKey);
        assert.equal(r.code, 1);
        assert.match(
            r.line("ssh origin/origin-a")!,
            /^FAIL ssh origin\/origin-a: \S+@127\.0\.0\.1:\d+: \S+@127\.0\.0\.1: Permission denied \(publickey\)\. \(the key was refused\); fix: put the public half of dataplat:sshPrivateKey in ~\S+\/\.ssh\/authorized_keys/,
        );
        assert.match(sshd.log(), /Failed publickey|Connection closed by authenticating user/);
    });

    it("a port nothing listens on fails, naming the port, and exits 1", async () => {
        const closed = await freePort();
        const r = await run(closed, accepted.privateKey);
        assert.equal(r.code, 1);
        assert.match(r.line("ssh origin/origin-a")!, new RegExp(`^FAIL ssh origin/origin-a: .*Connection refused; fix: nothing listens on port ${closed}`));
    });

    it("no $DATAPLAT_SSH_KEY with hosts to reach fails, saying how to set it, and exits 1", async () => {
        const r = await run(sshd.port, undefined);
        assert.equal(r.code, 1);
        assert.match(
            r.line("ssh")!,
            /^FAIL ssh: 1 host\(s\) to reach \(origin\) but DATAPLAT_SSH_KEY is not set; fix: export DATAPLAT_SSH_KEY="\$\(pulumi config get dataplat:sshPrivateKey --stack NAME\)"/,
        );
    });
});
