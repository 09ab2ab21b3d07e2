/**
 * The headnode backup and recovery scripts, run for real: PostgreSQL clusters for the lost and the
 * replacement headnode, moto's S3 for the backup bucket (directly, or through a proxy that injects
 * faults), libfaketime for hosts whose clocks are off. Binder's probe speaks ZooKeeper's `ruok` to a
 * small responder in this process; manatee's probe runs pg_isready and `select 1` against the real
 * PostgreSQL; moray's is a TCP connect. Issue 18's points are named where they are proven.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseControlPlaneConfig, type ControlPlaneConfig, type ControlPlaneConfigInput } from "../../ops/controlplane/config";
import {
    HEADNODE_PARTS,
    HEADNODE_UNIT_KIND,
    essentialChecks,
    firstHeadnodeScript,
    headnodeBackupScript,
    recoveryScript,
    type EssentialCheck,
} from "../../ops/controlplane/scripts";
import { startFaultProxy, type FaultProxy } from "../peers/moto/fault-proxy";
import { startMoto, type MotoPeer } from "../peers/moto/harness";
import { freePort, startPostgres, type PostgresPeer } from "../peers/postgres/harness";
import { databaseExists, seedSampleData, tableChecksums } from "../peers/postgres/sample-data";
import { runBash, type BashResult } from "../platform/run-bash";
import { readUnit, stageUnit, stampNow, unitStamps } from "../platform/units";

const BUCKET = "headnode-backups";
const DATABASE = "moray";

/** A ZooKeeper four-letter-word responder: answers `ruok` with `reply`. */
function ruokResponder(reply: string): Promise<{ port: number; close(): Promise<void> }> {
    const server = net.createServer((socket) => {
        socket.once("data", (data) => socket.end(data.toString() === "ruok" ? reply : ""));
        socket.on("error", () => undefined);
    });
    return new Promise((resolve) => {
        server.listen(0, "127.0.0.1", () => {
            const address = server.address() as net.AddressInfo;
            resolve({ port: address.port, close: () => new Promise<void>((r) => server.close(() => r())) });
        });
    });
}

function listFiles(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (rel: string) => {
        for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
            const child = path.join(rel, entry.name);
            if (entry.isDirectory()) walk(child);
            else out[child] = fs.readFileSync(path.join(dir, child)).toString("base64");
        }
    };
    walk("");
    return out;
}

/** Roles, owners and grants as an application sees them (issue 18 point 8). */
const APPLICATION_ROLES = `
  create role app_owner login;
  create role app_reader nologin;
  create role app_user login;
  grant app_reader to app_user;
  alter database ${DATABASE} owner to app_owner;
  alter table records owner to app_owner;
  revoke connect on database ${DATABASE} from public;
  grant connect on database ${DATABASE} to app_reader, app_owner;
  grant select on records, samples to app_reader;
`;

describe("headnode backup and recovery against real PostgreSQL and moto S3", function () {
    this.timeout(180_000);
    let lost: PostgresPeer;
    let replacement: PostgresPeer;
    let moto: MotoPeer;
    let proxy: FaultProxy;
    let binder: { port: number; close(): Promise<void> };
    let scratch: string;
    let oldImages: string;
    let newImages: string;
    let expectedRows: Record<string, string>;
    /** The unit the backup script wrote in `before`, and its parts. */
    let baseStamp: string;
    let base: Map<string, Buffer>;

    function config(prefix: string, imageStoreDir: string, port: number, acceptBackupStamp?: string): ControlPlaneConfig {
        const input: ControlPlaneConfigInput = {
            headnode: { name: "headnode", instanceType: "m5.2xlarge", availabilityZone: "us-east-1a", generation: 1 },
            computeNodes: [
                { name: "cn-1", instanceType: "m5.2xlarge", availabilityZone: "us-east-1b" },
                { name: "cn-2", instanceType: "m5.2xlarge", availabilityZone: "us-east-1c" },
            ],
            essentials: {
                binder: { hosts: ["headnode", "cn-1", "cn-2"], port: binder.port },
                manatee: { hosts: ["headnode", "cn-1", "cn-2"], port: lost.port },
                moray: { hosts: ["headnode", "cn-1", "cn-2"], port: Number(new URL(moto.endpoint).port) },
            },
            backup: { periodMinutes: 60, bucket: BUCKET, prefix, imageStoreDir, database: { name: DATABASE, port, user: "postgres" } },
            ...(acceptBackupStamp === undefined ? {} : { recovery: { acceptBackupStamp } }),
        };
        return parseControlPlaneConfig(input);
    }

    const env = () => ({ ...moto.env, PATH: `${lost.binDir}${path.delimiter}${moto.env.PATH}` });
    const replacementTarget = () => ({ host: "127.0.0.1", port: replacement.port, user: "postgres", database: DATABASE });
    /** The surviving compute nodes all answer on 127.0.0.1 here. */
    const checks = (cfg: ControlPlaneConfig): EssentialCheck[] => essentialChecks(cfg, () => "127.0.0.1");
    const lockFile = (name = "backup") => path.join(scratch, "locks", `${name}.lock`);

    function backup(prefix: string, options: { env?: NodeJS.ProcessEnv; lock?: string; images?: string; faketime?: string } = {}): Promise<BashResult> {
        const script = headnodeBackupScript(config(prefix, options.images ?? oldImages, lost.port), undefined, { lockFile: options.lock ?? lockFile() });
        return runUnder(script, options.env ?? env(), options.faketime);
    }

    /** Run a script, under libfaketime with `offset` (e.g. "+2h") when given: its clock, and its children's, are off. */
    function runUnder(script: string, environment: NodeJS.ProcessEnv, offset?: string): Promise<BashResult> {
        if (offset === undefined) return runBash(script, environment);
        const file = path.join(scratch, `faketime-${Math.random().toString(36).slice(2)}.sh`);
        fs.writeFileSync(file, script, { mode: 0o700 });
        return runBash(`exec faketime -f ${offset} bash ${file}\n`, environment);
    }

    async function recover(
        prefix: string,
        options: { env?: NodeJS.ProcessEnv; checks?: EssentialCheck[]; faketime?: string; accept?: string; configured?: string; marker?: string } = {},
    ) {
        const cfg = config(prefix, newImages, replacement.port, options.configured);
        const environment = { ...(options.env ?? env()), ...(options.accept === undefined ? {} : { ACCEPT_BACKUP_STAMP: options.accept }) };
        return runUnder(recoveryScript(cfg, options.checks ?? checks(cfg), replacementTarget(), options.marker), environment, options.faketime);
    }

    const scratchDatabases = (peer: PostgresPeer) => peer.psql("postgres", "select count(*) from pg_database where datname like 'dataplat_restore_%'");
    const roles = (peer: PostgresPeer) => peer.psql("postgres", "select string_agg(rolname, ',' order by rolname) from pg_roles where rolname like 'app_%'");

    /** A failed or refused recovery leaves the replacement exactly as it was. */
    function assertUntouched(): void {
        assert.equal(databaseExists(replacement, DATABASE), false, "recovery must not leave the database behind when it fails");
        assert.equal(scratchDatabases(replacement), "0", "the scratch database is removed");
        assert.equal(roles(replacement), "", "roles created by a failed recovery are removed");
        assert.equal(fs.existsSync(newImages), false, "recovery must not create the image store when it fails");
        assert.equal(fs.existsSync(`${newImages}.dataplat-restoring`), false, "the staging directory is removed");
    }

    /** psql as `user` (the test clusters trust every local login). */
    function psqlAs(peer: PostgresPeer, user: string, sql: string): { status: number | null; out: string } {
        const r = spawnSync(
            path.join(peer.binDir, "psql"),
            ["-X", "-h", "127.0.0.1", "-p", String(peer.port), "-U", user, "-d", DATABASE, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
            { encoding: "utf8" },
        );
        return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
    }

    before(async () => {
        [lost, replacement, moto, binder] = await Promise.all([startPostgres(), startPostgres(), startMoto(), ruokResponder("imok")]);
        proxy = await startFaultProxy(moto.endpoint);
        await moto.createBucket(BUCKET);
        seedSampleData(lost, DATABASE);
        lost.psql(DATABASE, APPLICATION_ROLES);
        expectedRows = tableChecksums(lost, DATABASE);
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-headnode-"));
        oldImages = path.join(scratch, "old-images");
        newImages = path.join(scratch, "new-images");
        fs.mkdirSync(path.join(oldImages, "image-1"), { recursive: true });
        fs.writeFileSync(path.join(oldImages, "image-1", "file0"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
        fs.writeFileSync(path.join(oldImages, "manifest.json"), JSON.stringify({ uuid: "image-1", name: "base-64" }));
        // The backup script as the systemd timer runs it on the (soon lost) headnode.
        const result = await backup("base");
        assert.equal(result.status, 0, result.stderr);
        const stamps = await unitStamps(moto, BUCKET, "base/units");
        assert.equal(stamps.length, 1, stamps.join(", "));
        baseStamp = stamps[0]!;
        base = await readUnit(moto, BUCKET, "base/units", HEADNODE_UNIT_KIND, baseStamp, HEADNODE_PARTS);
    });

    after(async () => {
        lost?.stop();
        replacement?.stop();
        await proxy?.close();
        await moto?.stop();
        await binder?.close();
        if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    });

    /** The replacement headnode as new: no database, no application roles, no image store. */
    function resetReplacement(): void {
        if (databaseExists(replacement, DATABASE)) replacement.psql("postgres", `drop database ${DATABASE}`);
        replacement.psql(
            "postgres",
            "do $$ declare r text; begin for r in select rolname from pg_roles where rolname like 'app_%' loop execute format('drop role %I', r); end loop; end $$",
        );
        fs.rmSync(newImages, { recursive: true, force: true });
    }

    afterEach(() => {
        proxy.clear();
        resetReplacement();
    });

    /** Stage a unit under `prefix` from the parts taken in `before` (S3 LastModified is "now"). */
    const stage = (prefix: string, stamp: string, replace: Partial<Record<(typeof HEADNODE_PARTS)[number], Buffer>> = {}) =>
        stageUnit(
            moto,
            BUCKET,
            `${prefix}/units`,
            HEADNODE_UNIT_KIND,
            stamp,
            HEADNODE_PARTS.map((p) => [p, replace[p] ?? base.get(p)!] as const),
        );

    it("the backup writes one unit: database, roles and images under one stamp, then a manifest with sizes, sha256, host and S3 LastModified", async () => {
        const keys = await moto.listKeys(BUCKET, "base/");
        assert.deepEqual(keys, ["database.dump", "images.tar.gz", "roles.sql", "MANIFEST"].map((p) => `base/units/${baseStamp}/${p}`).sort());
        assert.match(baseStamp, /^\d{8}T\d{6}\.\d{9}Z-headnode$/);
        const manifest = (await moto.getObject(BUCKET, `base/units/${baseStamp}/MANIFEST`)).toString().split("\n");
        assert.deepEqual(manifest.slice(0, 4), ["dataplat-backup-manifest 1", "kind headnode", `stamp ${baseStamp}`, "host headnode"]);
        // Point 7: the database parts go up before the image store's tarball.
        assert.deepEqual(
            manifest.filter((l) => l.startsWith("part ")).map((l) => l.split(" ")[1]),
            ["database.dump", "roles.sql", "images.tar.gz"],
        );
        assert.match(base.get("roles.sql")!.toString(), /^CREATE ROLE app_user;$/m);
        assert.doesNotMatch(base.get("roles.sql")!.toString(), /PASSWORD/);
    });

    it("point 8: restores every row with its owners and grants, so the application role can read; verified against the archive", async () => {
        const result = await recover("base");
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stderr, /verified: dataplat_restore_\S+ matches the archive \(rows, owners, grants, database owner and settings\)/);
        assert.match(result.stderr, /NOTE: role passwords are not in the backup/);
        assert.deepEqual(tableChecksums(replacement, DATABASE), expectedRows);
        assert.deepEqual(listFiles(newImages), listFiles(oldImages));
        assert.equal(replacement.psql(DATABASE, "select tableowner from pg_tables where tablename = 'records'"), "app_owner");
        assert.equal(replacement.psql("postgres", `select pg_get_userbyid(datdba) from pg_database where datname = '${DATABASE}'`), "app_owner");
        const read = psqlAs(replacement, "app_user", "select count(*) from records");
        assert.equal(read.status, 0, read.out);
        assert.equal(read.out, "2000");
        const denied = psqlAs(replacement, "app_user", "select count(*) from notes");
        assert.notEqual(denied.status, 0);
        assert.match(denied.out, /permission denied/, "grants are restored as they were, not widened");
    });

    it("point 1: a backup whose tarball upload fails leaves no manifest, and recovery restores the last complete unit, never a mixed pair", async () => {
        const first = await backup("pair");
        assert.equal(first.status, 0, first.stderr);
        const [complete] = await unitStamps(moto, BUCKET, "pair/units");
        lost.psql(DATABASE, "insert into notes (note) values ('written after the complete unit')");
        try {
            proxy.failUploads(/\/images\.tar\.gz$/);
            const failed = await backup("pair", { env: proxy.env(env()) });
            assert.notEqual(failed.status, 0);
            assert.match(failed.stderr, /upload of s3:\/\/headnode-backups\/pair\/units\/\S+\/images\.tar\.gz failed; the unit \S+ gets no manifest/);
            assert.ok(proxy.injected.uploadsFailed > 0);
        } finally {
            lost.psql(DATABASE, "delete from notes where note = 'written after the complete unit'");
        }
        const keys = await moto.listKeys(BUCKET, "pair/units/");
        assert.ok(
            keys.some((k) => !k.startsWith(`pair/units/${complete}/`) && k.endsWith("/database.dump")),
            "the newer dump was uploaded",
        );
        assert.deepEqual(await unitStamps(moto, BUCKET, "pair/units"), [complete]);
        const result = await recover("pair");
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stderr, new RegExp(`recovery complete: unit s3://headnode-backups/pair/units/${complete!.replace(/\./g, "\\.")}/`));
        assert.deepEqual(tableChecksums(replacement, DATABASE), expectedRows, "the database of the complete unit, not the newer dump");
        assert.deepEqual(listFiles(newImages), listFiles(oldImages));
    });

    it("point 2: a dump damaged in transit is caught by its sha256 before anything is written", async () => {
        proxy.flipDownloads(/\/database\.dump$/);
        const result = await recover("base", { env: proxy.env(env()) });
        assert.notEqual(result.status, 0);
        assert.ok(proxy.injected.downloadsFlipped > 0);
        assert.match(
            result.stderr,
            /database\.dump does not match its manifest \(sha256 [0-9a-f]{64}, expected [0-9a-f]{64}\): damaged in storage or in transit; nothing was written/,
        );
        assertUntouched();
    });

    it("point 2: a truncated dump in the bucket does not match its manifest; recovery refuses and creates nothing", async () => {
        await stage("truncated", stampNow("headnode", -60));
        const [stamp] = await unitStamps(moto, BUCKET, "truncated/units");
        const dump = base.get("database.dump")!;
        await moto.putObject(BUCKET, `truncated/units/${stamp}/database.dump`, dump.subarray(0, Math.floor(dump.length * 0.9)));
        const result = await recover("truncated");
        assert.notEqual(result.status, 0);
        assert.match(
            result.stderr,
            /skipping unit \S+: s3:\/\/headnode-backups\/truncated\/units\/\S+\/database\.dump is \d+ bytes written .*; the manifest says \d+ bytes/,
        );
        assert.match(result.stderr, /no complete backup unit under s3:\/\/headnode-backups\/truncated\/units\//);
        assertUntouched();
    });

    for (const [what, sql] of [
        ["only a large object", "select lo_from_bytea(0, 'precious')"],
        ["only a function", "create function keep() returns int language sql as 'select 42'"],
    ] as const) {
        it(`point 3: a target database holding ${what} is refused and left exactly as it was`, async () => {
            replacement.psql("postgres", `create database ${DATABASE}`);
            replacement.psql(DATABASE, sql);
            const before = replacement.psql(
                DATABASE,
                "select (select count(*) from pg_largeobject_metadata) || ':' || (select count(*) from pg_proc where proname = 'keep') || ':' || (select count(*) from pg_class where relnamespace = 'public'::regnamespace)",
            );
            const result = await recover("base");
            assert.notEqual(result.status, 0);
            assert.match(result.stderr, /database moray already exists on 127\.0\.0\.1:\d+; a restore only creates an absent database/);
            assert.equal(
                replacement.psql(
                    DATABASE,
                    "select (select count(*) from pg_largeobject_metadata) || ':' || (select count(*) from pg_proc where proname = 'keep') || ':' || (select count(*) from pg_class where relnamespace = 'public'::regnamespace)",
                ),
                before,
            );
            assert.equal(scratchDatabases(replacement), "0");
            assert.equal(fs.existsSync(newImages), false);
        });
    }

    it("point 4: freshness comes from S3's LastModified: a unit stamped by a clock 2 hours fast is skipped for a 20-minute-old good one", async () => {
        const good = stampNow("headnode");
        await stage("skew", good);
        // Written now (S3 LastModified "now") by a host whose clock ran 2 hours fast.
        const fast = stampNow("headnode", 2 * 3600);
        await stage("skew", fast, { "database.dump": Buffer.from("the fast host's dump must never be restored") });
        // Recovery runs 20 minutes later: the good unit is 20 minutes old by S3, the fast one "in 100 minutes" by its stamp.
        const result = await recover("skew", { faketime: "+20m" });
        assert.equal(result.status, 0, result.stderr);
        assert.match(
            result.stderr,
            new RegExp(`skipping unit ${fast.replace(/\./g, "\\.")}: its stamp is \\d+s later than S3's LastModified .*clock ran fast`),
        );
        assert.match(result.stderr, new RegExp(`chose unit ${good.replace(/\./g, "\\.")}, written 20 minutes ago by S3's LastModified`));
        assert.deepEqual(tableChecksums(replacement, DATABASE), expectedRows);
    });

    it("point 4: a backup fails, writing no manifest, when its host's clock differs from S3's by more than maxClockSkewSeconds", async () => {
        const result = await backup("fast-clock", { faketime: "+2h" });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /this host's clock disagrees with S3's by more than 300s .* The unit \S+ gets no manifest and is never restored/);
        assert.deepEqual(await unitStamps(moto, BUCKET, "fast-clock/units"), []);
    });

    it("refuses a unit older than the recovery point objective by S3's LastModified, naming the config key that accepts it", async () => {
        const stamp = stampNow("headnode");
        await stage("old", stamp);
        const result = await recover("old", { faketime: "+61m" });
        assert.notEqual(result.status, 0);
        assert.match(
            result.stderr,
            /was written 61 minutes ago by S3's LastModified, older than the recovery point objective of 60 minutes; refusing to restore/,
        );
        assert.match(result.stderr, new RegExp(`controlPlane\\.recovery\\.acceptBackupStamp=${stamp.replace(/\./g, "\\.")}`));
        assertUntouched();
    });

    it("refuses when S3 wrote the newest unit later than this host's clock says it is now", async () => {
        await stage("future", stampNow("headnode"));
        const result = await recover("future", { faketime: "-30m" });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /the clocks disagree, refusing to restore/);
        assertUntouched();
    });

    it("point 5: concurrent backups each write their own complete unit, under flock and with unique stamps", async () => {
        const runs = await Promise.all([
            backup("concurrent", { lock: lockFile("shared") }),
            backup("concurrent", { lock: lockFile("shared") }),
            backup("concurrent", { lock: lockFile("other") }),
        ]);
        for (const r of runs) assert.equal(r.status, 0, r.stderr);
        const stamps = await unitStamps(moto, BUCKET, "concurrent/units");
        assert.equal(new Set(stamps).size, 3, stamps.join(", "));
        for (const stamp of stamps) {
            const parts = await readUnit(moto, BUCKET, "concurrent/units", HEADNODE_UNIT_KIND, stamp, HEADNODE_PARTS);
            assert.equal(parts.get("images.tar.gz")!.length > 0, true);
        }
    });

    it("point 6: ACCEPT_BACKUP_STAMP restores exactly the named older unit, not the newest", async () => {
        lost.psql(DATABASE, "insert into notes (note) values ('only in the newer unit')");
        let newer: Map<string, Buffer>;
        try {
            const r = await backup("accept-source");
            assert.equal(r.status, 0, r.stderr);
            newer = await readUnit(
                moto,
                BUCKET,
                "accept-source/units",
                HEADNODE_UNIT_KIND,
                (await unitStamps(moto, BUCKET, "accept-source/units"))[0]!,
                HEADNODE_PARTS,
            );
        } finally {
            lost.psql(DATABASE, "delete from notes where note = 'only in the newer unit'");
        }
        const older = stampNow("headnode", -1);
        await stage("accept", older);
        const newest = stampNow("headnode");
        await stage("accept", newest, { "database.dump": newer.get("database.dump")! });
        const latest = await recover("accept");
        assert.equal(latest.status, 0, latest.stderr);
        assert.equal(replacement.psql(DATABASE, "select count(*) from notes where note = 'only in the newer unit'"), "1");
        resetReplacement();
        const accepted = await recover("accept", { accept: older });
        assert.equal(accepted.status, 0, accepted.stderr);
        assert.match(accepted.stderr, new RegExp(`restoring unit ${older.replace(/\./g, "\\.")} as accepted by ACCEPT_BACKUP_STAMP`));
        assert.deepEqual(tableChecksums(replacement, DATABASE), expectedRows);

        // The key set in config reaches the script even when sshd drops the command's environment.
        resetReplacement();
        const configured = await recover("accept", { configured: older });
        assert.equal(configured.status, 0, configured.stderr);
        assert.match(configured.stderr, /ACCEPT_BACKUP_STAMP is not in this command's environment .* using controlPlane\.recovery\.acceptBackupStamp=/);
        assert.deepEqual(tableChecksums(replacement, DATABASE), expectedRows);
        resetReplacement();
        const conflicting = await recover("accept", { configured: older, accept: newest });
        assert.notEqual(conflicting.status, 0);
        assert.match(conflicting.stderr, /differs from controlPlane\.recovery\.acceptBackupStamp=.*refusing to guess/);
        assertUntouched();
    });

    it("point 6: a malformed or unknown ACCEPT_BACKUP_STAMP is refused before anything is written", async () => {
        for (const [accept, message] of [
            ["20240131T235959Z", /is not a backup stamp/],
            [stampNow("headnode", -7200), /no backup unit s3:\/\/headnode-backups\/base\/units\/\S+\/ with a manifest/],
        ] as const) {
            const result = await recover("base", { accept });
            assert.notEqual(result.status, 0);
            assert.match(result.stderr, message);
            assertUntouched();
        }
    });

    it("point 7: a file that changes while tar reads it is retried, and the database parts were uploaded first", async () => {
        const busy = path.join(scratch, "busy-images");
        fs.mkdirSync(busy, { recursive: true });
        const big = path.join(busy, "image-2.file");
        fs.writeFileSync(big, randomBytes(48 * 1024 * 1024));
        // inotifywait reports the first read of the file; the writer then appends to it while tar is still reading.
        const watcher = spawn("bash", ["-c", 'inotifywait -q -e access "$1" >/dev/null && printf more >> "$1"', "busy", big], { stdio: "ignore" });
        const watching = new Promise<void>((resolve) => watcher.once("exit", () => resolve()));
        await new Promise((r) => setTimeout(r, 300));
        try {
            const result = await backup("busy", { images: busy });
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stderr, /a file changed while it was read \(attempt 1 of 3\)/);
            const [stamp] = await unitStamps(moto, BUCKET, "busy/units");
            await readUnit(moto, BUCKET, "busy/units", HEADNODE_UNIT_KIND, stamp!, HEADNODE_PARTS);
            assert.ok(result.stderr.indexOf("uploading s3://headnode-backups/busy/units/") < result.stderr.indexOf("tar of the image store"));
        } finally {
            watcher.kill();
            await watching;
        }
    });

    it("point 7: when files keep changing the unit gets no manifest, but the dump taken is uploaded", async () => {
        const busy = path.join(scratch, "always-busy");
        fs.mkdirSync(busy, { recursive: true });
        const big = path.join(busy, "image-3.file");
        fs.writeFileSync(big, randomBytes(16 * 1024 * 1024));
        // A writer that never stops appending: every read of the file sees it change.
        const watcher = spawn("bash", ["-c", 'while :; do printf more >> "$1"; done', "busy", big], { stdio: "ignore" });
        const watching = new Promise<void>((resolve) => watcher.once("exit", () => resolve()));
        await new Promise((r) => setTimeout(r, 300));
        try {
            const result = await backup("always-busy", { images: busy });
            assert.notEqual(result.status, 0);
            assert.match(result.stderr, /files kept changing while they were read \(3 attempts\)/);
            const keys = await moto.listKeys(BUCKET, "always-busy/units/");
            assert.deepEqual(keys.map((k) => k.split("/").pop()).sort(), ["database.dump", "roles.sql"]);
        } finally {
            watcher.kill();
            await watching;
        }
    });

    it("refuses when the bucket cannot be listed", async () => {
        const cfg = config("base", newImages, replacement.port);
        const script = recoveryScript({ ...cfg, backup: { ...cfg.backup, bucket: "no-such-bucket" } }, checks(cfg), replacementTarget());
        const result = await runBash(script, env());
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /cannot list s3:\/\/no-such-bucket\//);
        assertUntouched();
    });

    it("refuses when an essential PostgreSQL does not answer", async () => {
        const cfg = config("base", newImages, replacement.port);
        const closed = await freePort();
        const result = await recover("base", { checks: checks(cfg).map((c) => (c.probe === "postgres" ? { ...c, port: closed } : c)) });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /manatee@cn-1: UNHEALTHY/);
        assert.match(result.stderr, /refusing to recover the headnode/);
        assertUntouched();
    });

    it("refuses when binder answers anything but imok", async () => {
        const cfg = config("base", newImages, replacement.port);
        const confused = await ruokResponder("nope");
        try {
            const result = await recover("base", { checks: checks(cfg).map((c) => (c.probe === "zookeeper" ? { ...c, port: confused.port } : c)) });
            assert.notEqual(result.status, 0);
            assert.match(result.stderr, /binder@cn-1: UNHEALTHY: ZooKeeper .* did not answer imok/);
            assertUntouched();
        } finally {
            await confused.close();
        }
    });

    it("a gated backup uploads nothing until the ready marker exists, then backs up", async () => {
        const marker = path.join(scratch, "gated", "backup-enabled");
        const cfg = config("gated", oldImages, lost.port);
        const skipped = await runBash(headnodeBackupScript(cfg, undefined, { readyMarker: marker, lockFile: lockFile() }), env());
        assert.equal(skipped.status, 0, skipped.stderr);
        assert.match(skipped.stderr, /skipped: .* does not exist yet/);
        assert.deepEqual(await moto.listKeys(BUCKET, "gated/"), []);
        const first = await runBash(firstHeadnodeScript(marker), env());
        assert.equal(first.status, 0, first.stderr);
        const ran = await runBash(headnodeBackupScript(cfg, undefined, { readyMarker: marker, lockFile: lockFile() }), env());
        assert.equal(ran.status, 0, ran.stderr);
        assert.equal((await unitStamps(moto, BUCKET, "gated/units")).length, 1);
    });

    it("recovery writes the ready marker only after a verified restore", async () => {
        const marker = path.join(scratch, "recovered", "backup-enabled");
        const refused = await recover("nothing-here", { marker });
        assert.notEqual(refused.status, 0);
        assert.match(refused.stderr, /no complete backup unit under s3:\/\/headnode-backups\/nothing-here\/units\//);
        assert.equal(fs.existsSync(marker), false, "a refused recovery leaves backups disabled");
        assertUntouched();
        const result = await recover("base", { marker });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(fs.existsSync(marker), true);
        assert.ok(result.stderr.indexOf("verified: ") < result.stderr.indexOf("backups enabled"));
    });

    it("refuses to overwrite a target database that already holds data", async () => {
        replacement.psql("postgres", `create database ${DATABASE}`);
        replacement.psql(DATABASE, "create table keep (v text); insert into keep values ('precious')");
        const result = await recover("base");
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /database moray already exists/);
        assert.equal(replacement.psql(DATABASE, "select string_agg(v, ',') from keep"), "precious");
        assert.equal(fs.existsSync(newImages), false);
    });
});
