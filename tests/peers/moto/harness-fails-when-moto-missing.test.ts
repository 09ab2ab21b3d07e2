import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MOTO_INSTALL_SCRIPT, peersVenv, startMoto } from "./harness";

describe("moto test harness", () => {
    it("fails, naming the install script, when moto is not installed", async () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-nomoto-"));
        try {
            await assert.rejects(startMoto({ venv: empty }), new RegExp(`moto_server is not installed in ${empty}: run ${MOTO_INSTALL_SCRIPT}$`));
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it("looks for the venv under XDG_CACHE_HOME, else ~/.cache", () => {
        assert.equal(peersVenv({ XDG_CACHE_HOME: "/x/cache", HOME: "/home/u" }), "/x/cache/dataplat/peers-venv");
        assert.equal(peersVenv({ HOME: "/home/u" }), "/home/u/.cache/dataplat/peers-venv");
    });

    it("serves S3 on 127.0.0.1 to the aws CLI through AWS_ENDPOINT_URL, and stops", async function () {
        this.timeout(60_000);
        const moto = await startMoto();
        try {
            assert.match(moto.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
            await moto.createBucket("probe");
            await moto.putObject("probe", "a/b.txt", "hello");
            assert.equal(moto.aws(["s3", "cp", "s3://probe/a/b.txt", "-"]), "hello");
            assert.deepEqual(await moto.listKeys("probe", "a/"), ["a/b.txt"]);
            // The installed aws CLI honours AWS_ENDPOINT_URL by itself (the scripts also pass it explicitly).
            const native = spawnSync("aws", ["s3", "cp", "s3://probe/a/b.txt", "-"], { env: moto.env, encoding: "utf8", timeout: 60_000 });
            assert.equal(native.status, 0, native.stderr);
            assert.equal(native.stdout, "hello");
        } finally {
            await moto.stop();
        }
        await assert.rejects(fetch(`${moto.endpoint}/moto-api/`));
    });
});
