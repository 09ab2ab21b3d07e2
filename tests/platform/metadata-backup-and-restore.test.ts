/**
 * The platform's registered backup scripts run for real: pg_dump of the Koverse metadata database
 * to moto's S3 and the restore into a fresh PostgreSQL; the configuration tarball of the Koverse
 * conf directories.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { configBackupScript, metadataBackupScript, metadataRestoreScript } from "../../ops/platform/scripts";
import { startMoto, type MotoPeer } from "../peers/moto/harness";
import { startPostgres, type PostgresPeer } from "../peers/postgres/harness";
import { databaseExists, seedSampleData, tableChecksums } from "../peers/postgres/sample-data";
import { runBash } from "./run-bash";

const BUCKET = "koverse-backups";
const TARGET = { bucket: BUCKET, prefix: "koverse/test" };

describe("Koverse metadata and configuration backups against real PostgreSQL and moto S3", function () {
  this.timeout(120_000);
  let source: PostgresPeer;
  let fresh: PostgresPeer;
  let moto: MotoPeer;
  let scratch: string;

  before(async () => {
    [source, fresh, moto] = await Promise.all([startPostgres(), startPostgres(), startMoto()]);
    await moto.createBucket(BUCKET);
    seedSampleData(source, "koverse", 500);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-platform-"));
  });

  after(async () => {
    source?.stop();
    fresh?.stop();
    await moto?.stop();
    if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const env = () => ({ ...moto.env, PATH: `${source.binDir}${path.delimiter}${moto.env.PATH}` });

  it("pg_dumps the metadata database to the bucket and restores it into a fresh PostgreSQL row for row", async () => {
    const backup = await runBash(metadataBackupScript(TARGET, { host: "127.0.0.1", port: source.port, user: "postgres", database: "koverse" }), env());
    assert.equal(backup.status, 0, backup.stderr);
    const keys = await moto.listKeys(BUCKET, "koverse/test/postgres/koverse/");
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^koverse\/test\/postgres\/koverse\/\d{8}T\d{6}Z\.dump$/);

    const restore = await runBash(metadataRestoreScript(TARGET, { host: "127.0.0.1", port: fresh.port, user: "postgres", database: "koverse" }, 60), env());
    assert.equal(restore.status, 0, restore.stderr);
    assert.deepEqual(tableChecksums(fresh, "koverse"), tableChecksums(source, "koverse"));
  });

  it("a restore refuses a backup older than its maximum age and leaves the target alone", async () => {
    const [dumpKey] = await moto.listKeys(BUCKET, "koverse/test/postgres/koverse/");
    const oldTarget = { bucket: BUCKET, prefix: "koverse/old" };
    await moto.putObject(BUCKET, `koverse/old/postgres/koverse/20200101T000000Z.dump`, await moto.getObject(BUCKET, dumpKey!));
    const restore = await runBash(metadataRestoreScript(oldTarget, { host: "127.0.0.1", port: fresh.port, user: "postgres", database: "koverse_old" }, 60, "koverse"), env());
    assert.notEqual(restore.status, 0);
    assert.match(restore.stderr, /older than the recovery point objective of 60 minutes/);
    assert.equal(databaseExists(fresh, "koverse_old"), false);
  });

  it("a backup whose pg_dump fails uploads nothing", async () => {
    const failing = { bucket: BUCKET, prefix: "koverse/failing" };
    const backup = await runBash(metadataBackupScript(failing, { host: "127.0.0.1", port: source.port, user: "postgres", database: "no_such_database" }), env());
    assert.notEqual(backup.status, 0);
    assert.match(backup.stderr, /pg_dump of no_such_database failed/);
    assert.deepEqual(await moto.listKeys(BUCKET, "koverse/failing/"), []);
  });

  it("tars the koverse-server and koverse-webapp conf directories to the bucket", async () => {
    const server = path.join(scratch, "opt", "koverse-server", "conf");
    const webapp = path.join(scratch, "opt", "koverse-webapp", "conf");
    fs.mkdirSync(server, { recursive: true });
    fs.mkdirSync(webapp, { recursive: true });
    fs.writeFileSync(path.join(server, "koverse-server.properties"), "dataStoreConnector=accumulo\n");
    fs.writeFileSync(path.join(webapp, "log4j.xml"), "<log4j:configuration/>\n");
    const result = await runBash(configBackupScript(TARGET, "app-1", [server, webapp]), env());
    assert.equal(result.status, 0, result.stderr);
    const keys = await moto.listKeys(BUCKET, "koverse/test/config/app-1/");
    assert.equal(keys.length, 1);
    const archive = path.join(scratch, "config.tar.gz");
    fs.writeFileSync(archive, await moto.getObject(BUCKET, keys[0]!));
    const listing = execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).split("\n").filter((l) => !l.endsWith("/") && l !== "").sort();
    const rel = (p: string) => path.relative("/", p);
    assert.deepEqual(listing, [rel(path.join(server, "koverse-server.properties")), rel(path.join(webapp, "log4j.xml"))].sort());
  });

  it("a configuration backup of a missing directory fails and uploads nothing", async () => {
    const result = await runBash(configBackupScript({ bucket: BUCKET, prefix: "koverse/missing" }, "app-1", [path.join(scratch, "nowhere")]), env());
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /does not exist/);
    assert.deepEqual(await moto.listKeys(BUCKET, "koverse/missing/"), []);
  });
});
