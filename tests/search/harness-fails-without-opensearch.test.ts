import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findOpenSearchHome } from "./cluster";

describe("search test harness without OpenSearch", () => {
    it("fails with a message telling to run tests/peers/opensearch/install.sh", () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-opensearch-"));
        try {
            assert.throws(
                () => findOpenSearchHome("0.0.1", { XDG_CACHE_HOME: empty, OPENSEARCH_HOME: empty }),
                (e: unknown) =>
                    e instanceof Error && /OpenSearch 0\.0\.1 is not installed/.test(e.message) && /bash tests\/peers\/opensearch\/install\.sh/.test(e.message),
            );
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });
});
