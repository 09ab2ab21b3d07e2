import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { POSTGRES_INSTALL_SCRIPT, findPostgresBinDir, startPostgres } from "./harness";

describe("PostgreSQL test harness", () => {
    it("fails, naming the install script, when PostgreSQL is not installed", async () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-nopg-"));
        try {
            assert.throws(() => findPostgresBinDir(empty, empty), new RegExp(`PostgreSQL is not installed .*: run ${POSTGRES_INSTALL_SCRIPT}$`));
            await assert.rejects(startPostgres({ searchRoot: empty, searchPath: empty }), /run tests\/peers\/postgres\/install\.sh/);
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it("starts a cluster on 127.0.0.1 that answers queries, and removes it on stop", async function () {
        this.timeout(60_000);
        const peer = await startPostgres();
        try {
            assert.equal(peer.psql("postgres", "select inet_server_addr()::text || ' ' || current_setting('port')"), `127.0.0.1/32 ${peer.port}`);
        } finally {
            peer.stop();
        }
        assert.throws(() => peer.psql("postgres", "select 1"));
    });
});
