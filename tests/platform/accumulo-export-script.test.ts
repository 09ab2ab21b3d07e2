/**
 * The Accumulo export backup (run book: clonetable, offline, exporttable, then distcp). Accumulo
 * and Hadoop are not installed here: `accumulo`, `hdfs` and `hadoop` are stubs that record their
 * commands, while the COMPLETE marker really goes to moto's S3.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { accumuloExportScript, KOVERSE_TABLES } from "../../ops/platform/scripts";
import { startMoto, type MotoPeer } from "../peers/moto/harness";
import { runBash } from "./run-bash";

const BUCKET = "koverse-exports";
const TARGET = { bucket: BUCKET, prefix: "koverse/prod" };

const STUBS: Record<string, string> = {
  accumulo: [
    "#!/usr/bin/env bash",
    '[ "$1 $2 $3 $4 $5 $6" = "shell -u backup -p env:ACCUMULO_PASSWORD -e" ] || { echo "unexpected accumulo args: $*" >&2; exit 2; }',
    '[ -n "${ACCUMULO_PASSWORD:-}" ] || exit 3',
    'cmd=$7; echo "$cmd" >> "$STUB/accumulo.log"',
    'if [ -n "${FAIL_ON:-}" ] && [[ "$cmd" == "$FAIL_ON"* ]]; then exit 1; fi',
    'if [[ "$cmd" == exporttable* ]]; then dir=${cmd##* }; mkdir -p "$STUB/fs$dir"; echo files > "$STUB/fs$dir/distcp.txt"; fi',
  ].join("\n"),
  hdfs: '#!/usr/bin/env bash\n[ "$1 $2" = "dfs -test" ] && [ "$3" = -f ] && exec test -f "$STUB/fs$4"\nexit 2\n',
  hadoop: '#!/usr/bin/env bash\necho "$*" >> "$STUB/hadoop.log"\n',
};

describe("Accumulo export of the kv_* tables", function () {
  this.timeout(60_000);
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

  const script = (prefix = TARGET.prefix) => accumuloExportScript({ bucket: BUCKET, prefix }, { accumuloUser: "backup", hdfsExportDir: "/backup/export" });
  const run = (text: string, extra: NodeJS.ProcessEnv = {}) =>
    runBash(text, { ...moto.env, PATH: `${stub}${path.delimiter}${moto.env.PATH}`, STUB: stub, ACCUMULO_PASSWORD: "secret", ...extra });
  const lines = (name: string) => (fs.existsSync(path.join(stub, name)) ? fs.readFileSync(path.join(stub, name), "utf8").trim().split("\n") : []);

  it("clones, takes offline, exports and distcps each table in turn, deletes the clones, then writes COMPLETE", async () => {
    const result = await run(script());
    assert.equal(result.status, 0, result.stderr);
    const shell = lines("accumulo.log");
    const stamp = /_exp_(\d{8}T\d{6}Z)/.exec(shell[0]!)![1]!;
    assert.deepEqual(shell, [
      ...KOVERSE_TABLES.flatMap((t) => [
        `clonetable ${t} ${t}_exp_${stamp}`,
        `offline -t ${t}_exp_${stamp} -w`,
        `exporttable -t ${t}_exp_${stamp} /backup/export/${stamp}/${t}`,
      ]),
      ...KOVERSE_TABLES.map((t) => `deletetable -f ${t}_exp_${stamp}`),
    ]);
    assert.deepEqual(lines("hadoop.log"), KOVERSE_TABLES.map((t) =>
      `distcp -Dfs.s3a.endpoint=${moto.endpoint} -Dfs.s3a.path.style.access=true -f /backup/export/${stamp}/${t}/distcp.txt s3a://${BUCKET}/koverse/prod/accumulo/${stamp}/${t}`));
    const marker = await moto.getObject(BUCKET, `koverse/prod/accumulo/${stamp}/COMPLETE`);
    assert.deepEqual(marker.toString().trim().split("\n"), [...KOVERSE_TABLES]);
  });

  it("stops at the first failed export, writes no COMPLETE marker, and still deletes the clones it made", async () => {
    const result = await run(script("koverse/failing"), { FAIL_ON: "exporttable -t kv_record" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /FAILED: exporttable kv_record_exp_\d{8}T\d{6}Z failed/);
    const shell = lines("accumulo.log");
    assert.deepEqual(shell.filter((c) => c.startsWith("deletetable")).map((c) => c.replace(/_exp_.*/, "")), ["deletetable -f kv_index", "deletetable -f kv_record"]);
    assert.equal(lines("hadoop.log").length, 1, "only kv_index was copied");
    assert.deepEqual(await moto.listKeys(BUCKET, "koverse/failing/"), []);
  });

  it("fails closed when exporttable reports success but wrote no distcp.txt", async () => {
    fs.writeFileSync(path.join(stub, "hdfs"), "#!/usr/bin/env bash\nexit 1\n", { mode: 0o755 });
    const result = await run(script("koverse/silent"));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /exporttable wrote no \/backup\/export\/\d{8}T\d{6}Z\/kv_index\/distcp.txt/);
    assert.equal(lines("hadoop.log").length, 0);
  });

  it("refuses to run without ACCUMULO_PASSWORD", async () => {
    const result = await run(script(), { ACCUMULO_PASSWORD: "" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /ACCUMULO_PASSWORD is not set/);
    assert.deepEqual(lines("accumulo.log"), []);
  });
});
