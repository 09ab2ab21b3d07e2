/**
 * The platform's registered backup scripts run for real: pg_dump of the Koverse metadata database
 * (and its roles) as one unit in moto's S3 and the restore into a fresh PostgreSQL through a scratch
 * database; the configuration tarball of the Koverse conf directories.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { METADATA_PARTS, METADATA_UNIT_KIND, configBackupScript, metadataBackupScript, metadataRestoreScript } from "../../ops/platform/scripts";
import { startMoto, type MotoPeer } from "../peers/moto/harness";
import { startPostgres, type PostgresPeer } from "../peers/postgres/harness";
import { databaseExists, seedSampleData, tableChecksums } from "../peers/postgres/sample-data";
import { runBash, type BashResult } from "./run-bash";
import { readUnit, stageUnit, stampNow, unitStamps } from "./units";

const BUCKET = "koverse-backups";
const TARGET = { bucket: BUCKET, prefix: "koverse/test" };
const ROOT = "koverse/test/postgres/koverse";

describe("Koverse metadata and configuration backups against real PostgreSQL and moto S3", function () {
    this.timeout(120_000);
    let source: PostgresPeer;
    let fresh: PostgresPeer;
    let moto: MotoPeer;
    let scratch: string;
    let stamp: string;

    before(async () => {
        [source, fresh, moto] = await Promise.all([startPostgres(), startPostgres(), startMoto()]);
        await moto.createBucket(BUCKET);
        seedSampleData(source, "koverse", 500);
        source.psql("koverse", "create role koverse_app login; alter table records owner to koverse_app; grant select on notes to koverse_app");
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-platform-"));
    });

    after(async () => {
        source?.stop();
        fresh?.stop();
        await moto?.stop();
        if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    });

    afterEach(() => {
        for (const db of ["koverse", "koverse_old"]) if (databaseExists(fresh, db)) fresh.psql("postgres", `drop database ${db}`);
        fresh.psql("postgres", "drop role if exists koverse_app");
    });

    const env = () => ({ ...moto.env, PATH: `${source.binDir}${path.delimiter}${moto.env.PATH}` });
    const lock = (name: string) => ({ host: "meta-1", lockFile: path.join(scratch, `${name}.lock`) });
    const restore = (prefix: string, database: string, extra: NodeJS.ProcessEnv = {}, faketime?: string): Promise<BashResult> => {
        const script = metadataRestoreScript({ bucket: BUCKET, prefix }, { host: "127.0.0.1", port: fresh.port, user: "postgres", database }, 60, "koverse");
        if (faketime === undefined) return runBash(script, { ...env(), ...extra });
        const file = path.join(scratch, `restore-${Math.random().toString(36).slice(2)}.sh`);
        fs.writeFileSync(file, script);
        return runBash(`exec faketime -f ${faketime} bash ${file}\n`, { ...env(), ...extra });
    };
    const leftovers = () => fresh.psql("postgres", "select count(*) from pg_database where datname like 'dataplat_restore_%'");

    it("backs up the metadata database as one unit and restores it, row for row with its owners, into a fresh PostgreSQL", async () => {
        const backup = await runBash(
            metadataBackupScript(TARGET, { host: "127.0.0.1", port: source.port, user: "postgres", database: "koverse" }, lock("a")),
            env(),
        );
        assert.equal(backup.status, 0, backup.stderr);
        [stamp] = await unitStamps(moto, BUCKET, ROOT);
        assert.match(stamp!, /^\d{8}T\d{6}\.\d{9}Z-meta-1$/);
        await readUnit(moto, BUCKET, ROOT, METADATA_UNIT_KIND, stamp!, METADATA_PARTS);

        const result = await restore("koverse/test", "koverse");
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(tableChecksums(fresh, "koverse"), tableChecksums(source, "koverse"));
        assert.equal(fresh.psql("koverse", "select tableowner from pg_tables where tablename = 'records'"), "koverse_app");
        assert.equal(fresh.psql("koverse", "select has_table_privilege('koverse_app', 'notes', 'select')"), "t");
    });

    it("point 6 (platform): ACCEPT_BACKUP_STAMP restores exactly that unit, not the newest", async () => {
        const parts = await readUnit(moto, BUCKET, ROOT, METADATA_UNIT_KIND, stamp, METADATA_PARTS);
        const older = stampNow("meta-1", -5);
        await stageUnit(
            moto,
            BUCKET,
            "koverse/accept/postgres/koverse",
            METADATA_UNIT_KIND,
            older,
            METADATA_PARTS.map((p) => [p, parts.get(p)!] as const),
        );
        await stageUnit(moto, BUCKET, "koverse/accept/postgres/koverse", METADATA_UNIT_KIND, stampNow("meta-1"), [
            ["database.dump", Buffer.from("not a dump")],
            ["roles.sql", parts.get("roles.sql")!],
        ]);
        const newest = await restore("koverse/accept", "koverse");
        assert.notEqual(newest.status, 0, "the newest unit is not an archive");
        assert.equal(databaseExists(fresh, "koverse"), false);
        const accepted = await restore("koverse/accept", "koverse", { ACCEPT_BACKUP_STAMP: older });
        assert.equal(accepted.status, 0, accepted.stderr);
        assert.match(accepted.stderr, /as accepted by ACCEPT_BACKUP_STAMP \(platform\.backup\.restore\.acceptBackupStamp\)/);
        assert.deepEqual(tableChecksums(fresh, "koverse"), tableChecksums(source, "koverse"));
    });

    it("a restore refuses a unit older than its maximum age by S3's LastModified and leaves the target alone", async () => {
        const result = await restore("koverse/test", "koverse_old", {}, "+61m");
        assert.notEqual(result.status, 0);
        assert.match(
            result.stderr,
            /older than the recovery point objective of 60 minutes; refusing to restore\. .*platform\.backup\.restore\.acceptBackupStamp=/,
        );
        assert.equal(databaseExists(fresh, "koverse_old"), false);
        assert.equal(leftovers(), "0");
    });

    it("point 3 (platform): a restore never writes into a database that exists, even one holding only a large object", async () => {
        fresh.psql("postgres", "create database koverse");
        fresh.psql("koverse", "select lo_from_bytea(0, 'keep')");
        const result = await restore("koverse/test", "koverse");
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /database koverse already exists/);
        assert.equal(fresh.psql("koverse", "select count(*) from pg_largeobject_metadata"), "1");
        assert.equal(fresh.psql("koverse", "select count(*) from pg_class where relnamespace = 'public'::regnamespace"), "0");
        assert.equal(leftovers(), "0");
    });

    it("a backup whose pg_dump fails uploads nothing", async () => {
        const failing = { bucket: BUCKET, prefix: "koverse/failing" };
        const backup = await runBash(
            metadataBackupScript(failing, { host: "127.0.0.1", port: source.port, user: "postgres", database: "no_such_database" }, lock("b")),
            env(),
        );
        assert.notEqual(backup.status, 0);
        assert.match(backup.stderr, /pg_dump of no_such_database failed/);
        assert.deepEqual(await moto.listKeys(BUCKET, "koverse/failing/"), []);
    });

    it("tars the koverse-server and koverse-webapp conf directories as one unit", async () => {
        const server = path.join(scratch, "opt", "koverse-server", "conf");
        const webapp = path.join(scratch, "opt", "koverse-webapp", "conf");
        fs.mkdirSync(server, { recursive: true });
        fs.mkdirSync(webapp, { recursive: true });
        fs.writeFileSync(path.join(server, "koverse-server.properties"), "dataStoreConnector=accumulo\n");
        fs.writeFileSync(path.join(webapp, "log4j.xml"), "<log4j:configuration/>\n");
        const result = await runBash(
            configBackupScript(TARGET, "app-1", [server, webapp], { host: "app-1", lockFile: path.join(scratch, "config.lock") }),
            env(),
        );
        assert.equal(result.status, 0, result.stderr);
        const stamps = await unitStamps(moto, BUCKET, "koverse/test/config/app-1");
        assert.equal(stamps.length, 1);
        const parts = await readUnit(moto, BUCKET, "koverse/test/config/app-1", "config", stamps[0]!, ["config.tar.gz"]);
        const archive = path.join(scratch, "config.tar.gz");
        fs.writeFileSync(archive, parts.get("config.tar.gz")!);
        const listing = execFileSync("tar", ["-tzf", archive], { encoding: "utf8" })
            .split("\n")
            .filter((l) => !l.endsWith("/") && l !== "")
            .sort();
        const rel = (p: string) => path.relative("/", p);
        assert.deepEqual(listing, [rel(path.join(server, "koverse-server.properties")), rel(path.join(webapp, "log4j.xml"))].sort());
    });

    it("a configuration backup of a missing directory fails and uploads nothing", async () => {
        const result = await runBash(
            configBackupScript({ bucket: BUCKET, prefix: "koverse/missing" }, "app-1", [path.join(scratch, "nowhere")], {
                host: "app-1",
                lockFile: path.join(scratch, "config.lock"),
            }),
            env(),
        );
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /does not exist/);
        assert.deepEqual(await moto.listKeys(BUCKET, "koverse/missing/"), []);
    });
});
