/**
 * The headnode backup and recovery scripts, run for real: PostgreSQL clusters for the lost and the
 * replacement headnode, moto's S3 for the backup bucket. Binder's probe speaks ZooKeeper's `ruok`
 * four-letter word to a small responder in this process (no ZooKeeper install needed); manatee's
 * probe runs pg_isready and `select 1` against the real PostgreSQL; moray's is a TCP connect.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseControlPlaneConfig, type ControlPlaneConfig, type ControlPlaneConfigInput } from "../../ops/controlplane/config";
import { essentialChecks, firstHeadnodeScript, headnodeBackupScript, recoveryScript, type EssentialCheck } from "../../ops/controlplane/scripts";
import { startMoto, type MotoPeer } from "../peers/moto/harness";
import { freePort, startPostgres, type PostgresPeer } from "../peers/postgres/harness";
import { databaseExists, seedSampleData, tableChecksums } from "../peers/postgres/sample-data";
import { runBash } from "../platform/run-bash";

const BUCKET = "headnode-backups";
const DATABASE = "moray";

function stampMinutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

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

describe("headnode backup and recovery against real PostgreSQL and moto S3", function () {
  this.timeout(120_000);
  let lost: PostgresPeer;
  let replacement: PostgresPeer;
  let moto: MotoPeer;
  let binder: { port: number; close(): Promise<void> };
  let scratch: string;
  let oldImages: string;
  let newImages: string;
  let expectedRows: Record<string, string>;
  /** What the backup script uploaded in `before`. */
  let backupKeys: string[];
  let dump: Buffer;
  let images: Buffer;

  function config(prefix: string, imageStoreDir: string, port: number): ControlPlaneConfig {
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
    };
    return parseControlPlaneConfig(input);
  }

  const env = () => ({ ...moto.env, PATH: `${lost.binDir}${path.delimiter}${moto.env.PATH}` });
  const replacementTarget = () => ({ host: "127.0.0.1", port: replacement.port, user: "postgres", database: DATABASE });
  /** The surviving compute nodes all answer on 127.0.0.1 here. */
  const checks = (cfg: ControlPlaneConfig): EssentialCheck[] => essentialChecks(cfg, () => "127.0.0.1");

  before(async () => {
    [lost, replacement, moto, binder] = await Promise.all([startPostgres(), startPostgres(), startMoto(), ruokResponder("imok")]);
    await moto.createBucket(BUCKET);
    seedSampleData(lost, DATABASE);
    expectedRows = tableChecksums(lost, DATABASE);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-headnode-"));
    oldImages = path.join(scratch, "old-images");
    newImages = path.join(scratch, "new-images");
    fs.mkdirSync(path.join(oldImages, "image-1"), { recursive: true });
    fs.writeFileSync(path.join(oldImages, "image-1", "file0"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
    fs.writeFileSync(path.join(oldImages, "manifest.json"), JSON.stringify({ uuid: "image-1", name: "base-64" }));
    // The backup script as the systemd timer runs it on the (soon lost) headnode.
    const result = await runBash(headnodeBackupScript(config("base", oldImages, lost.port)), env());
    assert.equal(result.status, 0, result.stderr);
    backupKeys = await moto.listKeys(BUCKET, "base/");
    const dumpKey = backupKeys.find((k) => k.endsWith(".dump"));
    const imageKey = backupKeys.find((k) => k.endsWith(".tar.gz"));
    assert.ok(dumpKey !== undefined && imageKey !== undefined, `backup uploaded ${backupKeys.join(", ")}`);
    dump = await moto.getObject(BUCKET, dumpKey);
    images = await moto.getObject(BUCKET, imageKey);
  });

  after(async () => {
    lost?.stop();
    replacement?.stop();
    await moto?.stop();
    await binder?.close();
    if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
  });

  afterEach(() => {
    if (databaseExists(replacement, DATABASE)) replacement.psql("postgres", `drop database ${DATABASE}`);
    fs.rmSync(newImages, { recursive: true, force: true });
  });

  /** Put the backup taken in `before` under `prefix` with key stamp `stamp` (S3 LastModified is "now"). */
  async function stage(prefix: string, stamp: string, content: { dump?: Buffer | string; images?: Buffer | string } = {}): Promise<void> {
    await moto.putObject(BUCKET, `${prefix}/postgres/${DATABASE}/${stamp}.dump`, content.dump ?? dump);
    await moto.putObject(BUCKET, `${prefix}/images/${stamp}.tar.gz`, content.images ?? images);
  }

  async function recover(prefix: string, extraEnv: NodeJS.ProcessEnv = {}, customChecks?: EssentialCheck[]) {
    const cfg = config(prefix, newImages, replacement.port);
    return runBash(recoveryScript(cfg, customChecks ?? checks(cfg), replacementTarget()), { ...env(), ...extraEnv });
  }

  function assertUntouched(): void {
    assert.equal(databaseExists(replacement, DATABASE), false, "recovery must not create the database when it refuses");
    assert.equal(fs.existsSync(newImages), false, "recovery must not create the image store when it refuses");
  }

  it("the backup script uploads a dump and an image-store tarball under UTC-stamped keys", () => {
    assert.equal(backupKeys.length, 2, backupKeys.join(", "));
    assert.match(backupKeys[0]!, /^base\/images\/\d{8}T\d{6}Z\.tar\.gz$/);
    assert.match(backupKeys[1]!, new RegExp(`^base/postgres/${DATABASE}/\\d{8}T\\d{6}Z\\.dump$`));
    assert.equal(backupKeys[0]!.slice(-23, -7), backupKeys[1]!.slice(-21, -5), "both objects carry the same stamp");
  });

  it("restores the backup into the new headnode with every row identical, and the image files", async () => {
    const result = await recover("base");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /verified: moray matches the archive/);
    assert.deepEqual(tableChecksums(replacement, DATABASE), expectedRows);
    assert.deepEqual(listFiles(newImages), listFiles(oldImages));
  });

  it("restores the newest of several backups", async () => {
    // An older backup that is not a usable archive: recovery succeeds only if it takes the newer one.
    await stage("several", stampMinutesAgo(40), { dump: "an older backup that must not be restored" });
    await stage("several", stampMinutesAgo(5));
    const result = await recover("several");
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(tableChecksums(replacement, DATABASE), expectedRows);
  });

  it("refuses a backup whose key stamp is older than the recovery point objective, although its S3 LastModified is fresh", async () => {
    const stamp = stampMinutesAgo(61);
    await stage("old", stamp);
    const result = await recover("old");
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /older than the recovery point objective of 60 minutes; refusing to restore/);
    assert.match(result.stderr, new RegExp(`ACCEPT_BACKUP_STAMP=${stamp}`));
    assertUntouched();
  });

  it("restores an old backup only when the operator accepts that exact stamp", async () => {
    const stamp = stampMinutesAgo(90);
    await stage("accepted", stamp);
    const wrong = await recover("accepted", { ACCEPT_BACKUP_STAMP: stampMinutesAgo(200) });
    assert.notEqual(wrong.status, 0);
    assertUntouched();
    const accepted = await recover("accepted", { ACCEPT_BACKUP_STAMP: stamp });
    assert.equal(accepted.status, 0, accepted.stderr);
    assert.deepEqual(tableChecksums(replacement, DATABASE), expectedRows);
  });

  it("refuses a backup stamped in the future", async () => {
    await stage("future", stampMinutesAgo(-30));
    const result = await recover("future");
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /in the future; the clocks disagree/);
    assertUntouched();
  });

  it("refuses when there is no backup", async () => {
    const result = await recover("nothing-here");
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /no backup under s3:\/\/headnode-backups\/nothing-here\/postgres\/moray\//);
    assertUntouched();
  });

  it("refuses when the database backup is fresh but the image-store backup is missing", async () => {
    await moto.putObject(BUCKET, `images-missing/postgres/${DATABASE}/${stampMinutesAgo(1)}.dump`, dump);
    const result = await recover("images-missing");
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /no backup under s3:\/\/headnode-backups\/images-missing\/images\//);
    assertUntouched();
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
    const result = await recover("base", {}, checks(cfg).map((c) => (c.probe === "postgres" ? { ...c, port: closed } : c)));
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /manatee@cn-1: UNHEALTHY/);
    assert.match(result.stderr, /refusing to recover the headnode/);
    assertUntouched();
  });

  it("refuses when binder answers anything but imok", async () => {
    const cfg = config("base", newImages, replacement.port);
    const confused = await ruokResponder("nope");
    try {
      const result = await recover("base", {}, checks(cfg).map((c) => (c.probe === "zookeeper" ? { ...c, port: confused.port } : c)));
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
    const source = { host: "127.0.0.1", port: lost.port, user: "postgres", database: DATABASE };
    const skipped = await runBash(headnodeBackupScript(cfg, source, marker), env());
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.match(skipped.stderr, /skipped: .* does not exist yet/);
    assert.deepEqual(await moto.listKeys(BUCKET, "gated/"), []);
    const first = await runBash(firstHeadnodeScript(marker), env());
    assert.equal(first.status, 0, first.stderr);
    const ran = await runBash(headnodeBackupScript(cfg, source, marker), env());
    assert.equal(ran.status, 0, ran.stderr);
    assert.equal((await moto.listKeys(BUCKET, "gated/")).length, 2);
  });

  it("recovery writes the ready marker only after a verified restore", async () => {
    const marker = path.join(scratch, "recovered", "backup-enabled");
    const refused = await runBash(recoveryScript(config("nothing-here", newImages, replacement.port), checks(config("nothing-here", newImages, replacement.port)), replacementTarget(), marker), env());
    assert.notEqual(refused.status, 0);
    assert.equal(fs.existsSync(marker), false, "a refused recovery leaves backups disabled");
    const cfg = config("base", newImages, replacement.port);
    const result = await runBash(recoveryScript(cfg, checks(cfg), replacementTarget(), marker), env());
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fs.existsSync(marker), true);
    assert.ok(result.stderr.indexOf("verified: image store matches the archive") < result.stderr.indexOf("backups enabled"));
  });

  it("refuses to overwrite a target database that already holds data", async () => {
    replacement.psql("postgres", `create database ${DATABASE}`);
    replacement.psql(DATABASE, "create table keep (v text); insert into keep values ('precious')");
    const result = await recover("base");
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /already holds \d+ relations; refusing to overwrite/);
    assert.equal(replacement.psql(DATABASE, "select string_agg(v, ',') from keep"), "precious");
    assert.equal(fs.existsSync(newImages), false);
  });
});
