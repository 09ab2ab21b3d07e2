// origin.kraken: runbook only. // A recording stand-in for the origin's repair endpoint. It is not Kraken: it only records the calls it receives,
// in order, across every stand-in sharing the same log, and answers the way Kraken's origin blob server does:
// 200 with one JSON repair message per line ({"operation","object","success","error"}). It can be told to answer
// 500 for a path, to report a failed item (200 with "success":false) or to be slow, so tests can prove that the
// repair scripts fail closed. It listens on 127.0.0.1 only.
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
    readonly origin: string;
    readonly method: string;
    readonly path: string;
}

export interface RepairStandin {
    readonly origin: string;
    readonly port: number;
    /** Answer 500 for this path from now on. */
    failWith500(path: string): void;
    /** Answer 200 but report a failed item for this path. */
    reportFailedItem(path: string): void;
    /** Wait this long before answering this path. */
    delay(path: string, ms: number): void;
    close(): Promise<void>;
}

export async function startRepairStandin(origin: string, log: RecordedCall[], port = 0, address = "127.0.0.1"): Promise<RepairStandin> {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) throw new Error(`the stand-in listens on loopback only, not ${address}`);
    const fail500 = new Set<string>();
    const failedItem = new Set<string>();
    const delays = new Map<string, number>();
    const server: Server = createServer((req, res) => {
        const path = req.url ?? "";
        log.push({ origin, method: req.method ?? "", path });
        const answer = () => {
            if (fail500.has(path)) {
                res.writeHead(500, { "content-type": "text/plain" });
                res.end("stand-in: repair failed\n");
                return;
            }
            const ok = !failedItem.has(path);
            const message = (object: string, success: boolean) =>
                JSON.stringify({ operation: "replicate_digest", object, success, error: success ? "" : "failed to replicate to host" });
            res.writeHead(200, { "content-type": "application/json" });
            res.end(message("sha256:" + "ab".repeat(32), true) + "\n" + message("sha256:" + "cd".repeat(32), ok) + "\n");
        };
        const wait = delays.get(path);
        if (wait === undefined) answer();
        else setTimeout(answer, wait).unref();
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, address, () => resolve());
    });
    return {
        origin,
        port: (server.address() as AddressInfo).port,
        failWith500: (path) => void fail500.add(path),
        reportFailedItem: (path) => void failedItem.add(path),
        delay: (path, ms) => void delays.set(path, ms),
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
