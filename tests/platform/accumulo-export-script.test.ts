/**
 * The Accumulo export and HDFS addons backups (run book: clonetable, offline, exporttable, then
 * distcp; distcp of /koverse/kv/addons). Accumulo and Hadoop are not installed here: `accumulo`,
 * `hdfs` and `hadoop` are stubs over a directory standing in for HDFS, and the stub's distcp copies
 * for real into moto's S3 with the aws CLI, so every part and the manifest are real objects.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { accumuloExportScript, addonsBackupScript, KOVERSE_TABLES } from "../../ops/platform/scripts";
import { startMoto, type MotoPeer } from "../peers/moto/harness";
import { runBash } from "./run-bash";
import { readUnit, unitStamps } from "./units";

const BUCKET = "koverse-exports";

const STUBS: Record<string, string> = {
    accumulo: [
        "#!/usr/bin/env bash",
        '[ "$1 $2 $3 $4 $5 $6" = "shell -u backup -p env:ACCUMULO_PASSWORD -e" ] || { echo "unexpected accumulo args: $*" >&2; exit 2; }',
        '[ -n "${ACCUMULO_PASSWORD:-}" ] || exit 3',
        'cmd=$7; echo "$cmd" >> "$STUB/accumulo.log"',
        'if [ -n "${FAIL_ON:-}" ] && [[ "$cmd" == "$FAIL_ON"* ]]; then exit 1; fi',
        'if [[ "$cmd" == exporttable* ]]; then',
        '  dir=${cmd##* }; table=${cmd#exporttable -t }; table=${table%% *}; mkdir -p "$STUB/fs$dir"',
        '  printf "rfile of %s\\n" "$table" > "$STUB/fs$dir/F0000001.rf"; printf "metadata of %s\\n" "$table" > "$STUB/fs$dir/exportMetadata.zip"',
        '  printf "%s\\n" "$dir/F0000001.rf" "$dir/exportMetadata.zip" > "$STUB/fs$dir/distcp.txt"',
        "fi",
    ].join("\n"),
    hdfs: [
        "#!/usr/bin/env bash",
        '[ "$1" = dfs ] || exit 2',
        'case "$2" in',
        '  -test) [ "$3" = -f ] && exec test -f "$STUB/fs$4"; [ "$3" = -d ] && exec test -d "$STUB/fs$4"; exit 2 ;;',
        '  -cat) exec cat "$STUB/fs$3" ;;',
        '  -stat) [ "$3" = %b ] && exec stat -c %s "$STUB/fs$4"; exit 2 ;;',
        '  -ls) [ "$3" = -R ] || exit 2; cd "$STUB/fs" && find "${4#/}" -mindepth 1 -printf "%M 1 u g %s 2024-01-01 00:00 /%p\\n" ;;',
        "  *) exit 2 ;;",
        "esac",
    ].join("\n"),
    // distcp [-D...] (-f LIST | SOURCE) TARGET, into S3 through the aws CLI (s3a://b/k -> s3://b/k).
    hadoop: [
        "#!/usr/bin/env bash",
        'echo "$*" >> "$STUB/hadoop.log"',
        '[ "$1" = distcp ] || exit 2; shift',
        'while [[ "$1" == -D* ]]; do shift; done',
        'if [ "$1" = -f ]; then list=$2 target=${3/#s3a:/s3:}',
        '  while read -r f; do aws s3 cp --only-show-errors "$STUB/fs$f" "$target/${f##*/}" || exit 1; done < "$STUB/fs$list"',
        '  [ -z "${CORRUPT:-}" ] || echo corrupted | aws s3 cp --only-show-errors - "$target/F0000001.rf"',
        'else aws s3 cp --only-show-errors --recursive "$STUB/fs$1" "${2/#s3a:/s3:}" || exit 1; fi',
    ].join("\n"),
};

describe("Accumulo export and HDFS addons backups as units", function () {
    this.timeout(120_000);
    let moto: MotoPeer;
    let stub: string;

    before(async () => {
        moto = await startMoto();
        await moto.createBucket(BUCKET);
    });
    after(async () => moto?.stop());
    beforeEach(() => {
        stub = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-accumulo-"));
        for (const [name, text] of Object.entries(STUBS)) fs.writeFileSync(path.join(stub, name), `${text}\n`, { mode: 0o755 });
    });
    afterEach(() => fs.rmSync(stub, { recursive: true, force: true }));

    const script = (prefix: string) =>
        accumuloExportScript(
            { bucket: BUCKET, prefix },
            { accumuloUser: "backup", hdfsExportDir: "/backup/export" },
            { host: "master-1", lockFile: path.join(stub, "lock") },
        );
    const run = (text: string, extra: NodeJS.ProcessEnv = {}) =>
        runBash(text, { ...moto.env, PATH: `${stub}${path.delimiter}${moto.env.PATH}`, STUB: stub, ACCUMULO_PASSWORD: "secret", ...extra });
    const lines = (name: string) => (fs.existsSync(path.join(stub, name)) ? fs.readFileSync(path.join(stub, name), "utf8").trim().split("\n") : []);

    it("clones, takes offline, exports and distcps each table in turn, deletes the clones, then writes the manifest of every file", async () => {
        const result = await run(script("koverse/prod"));
        assert.equal(result.status, 0, result.stderr);
        const [stamp] = await unitStamps(moto, BUCKET, "koverse/prod/accumulo");
        assert.match(stamp!, /^\d{8}T\d{6}\.\d{9}Z-master-1$/);
        const tag = stamp!.replace(/[^A-Za-z0-9]/g, "_");
        assert.deepEqual(lines("accumulo.log"), [
            ...KOVERSE_TABLES.flatMap((t) => [
                `clonetable ${t} ${t}_exp_${tag}`,
                `offline -t ${t}_exp_${tag} -w`,
                `exporttable -t ${t}_exp_${tag} /backup/export/${stamp}/${t}`,
            ]),
            ...KOVERSE_TABLES.map((t) => `deletetable -f ${t}_exp_${tag}`),
        ]);
        assert.deepEqual(
            lines("hadoop.log"),
            KOVERSE_TABLES.map(
                (t) =>
                    `distcp -Dfs.s3a.endpoint=${moto.endpoint} -Dfs.s3a.path.style.access=true -f /backup/export/${stamp}/${t}/distcp.txt s3a://${BUCKET}/koverse/prod/accumulo/${stamp}/${t}`,
            ),
        );
        const parts = await readUnit(
            moto,
            BUCKET,
            "koverse/prod/accumulo",
            "accumulo",
            stamp!,
            KOVERSE_TABLES.flatMap((t) => [`${t}/F0000001.rf`, `${t}/exportMetadata.zip`]),
        );
        assert.equal(parts.get("kv_record/F0000001.rf")!.toString(), "rfile of kv_record_exp_" + tag + "\n");
    });

    it("stops at the first failed export, writes no manifest, and still deletes the clones it made", async () => {
        const result = await run(script("koverse/failing"), { FAIL_ON: "exporttable -t kv_record" });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /FAILED: exporttable kv_record_exp_\S+ failed/);
        assert.deepEqual(
            lines("accumulo.log")
                .filter((c) => c.startsWith("deletetable"))
                .map((c) => c.replace(/_exp_.*/, "")),
            ["deletetable -f kv_index", "deletetable -f kv_record"],
        );
        assert.equal(lines("hadoop.log").length, 1, "only kv_index was copied");
        assert.deepEqual(await unitStamps(moto, BUCKET, "koverse/failing/accumulo"), []);
    });

    it("a copied file that does not match its HDFS source fails the export before any manifest", async () => {
        const result = await run(script("koverse/corrupt"), { CORRUPT: "1" });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /kv_index\/F0000001\.rf holds \d+ bytes, expected \d+/);
        assert.deepEqual(await unitStamps(moto, BUCKET, "koverse/corrupt/accumulo"), []);
    });

    it("fails closed when exporttable reports success but wrote no distcp.txt", async () => {
        fs.writeFileSync(path.join(stub, "hdfs"), "#!/usr/bin/env bash\nexit 1\n", { mode: 0o755 });
        const result = await run(script("koverse/silent"));
        assert.equal(result.status, 1);
        assert.match(result.stderr, /exporttable wrote no \/backup\/export\/\S+\/kv_index\/distcp.txt/);
        assert.equal(lines("hadoop.log").length, 0);
    });

    it("refuses to run without ACCUMULO_PASSWORD", async () => {
        const result = await run(script("koverse/prod"), { ACCUMULO_PASSWORD: "" });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /ACCUMULO_PASSWORD is not set/);
        assert.deepEqual(lines("accumulo.log"), []);
    });

    it("copies the HDFS addons as one unit, each file a part with the size and sha256 of its HDFS source", async () => {
        fs.mkdirSync(path.join(stub, "fs", "koverse", "kv", "addons", "lib"), { recursive: true });
        fs.writeFileSync(path.join(stub, "fs", "koverse", "kv", "addons", "addon-a.jar"), "jar a\n");
        fs.writeFileSync(path.join(stub, "fs", "koverse", "kv", "addons", "lib", "dep.jar"), "dependency\n");
        const result = await run(
            addonsBackupScript({ bucket: BUCKET, prefix: "koverse/prod" }, "/koverse/kv/addons", { host: "master-1", lockFile: path.join(stub, "lock") }),
        );
        assert.equal(result.status, 0, result.stderr);
        const [stamp] = await unitStamps(moto, BUCKET, "koverse/prod/addons");
        const parts = await readUnit(moto, BUCKET, "koverse/prod/addons", "addons", stamp!, ["files/addon-a.jar", "files/lib/dep.jar"]);
        assert.equal(parts.get("files/lib/dep.jar")!.toString(), "dependency\n");
    });
});
