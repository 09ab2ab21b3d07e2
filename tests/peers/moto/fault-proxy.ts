/**
 * A small HTTP proxy in front of moto that injects the faults a backup must survive: uploads of
 * matching keys answered with HTTP 500 (every attempt, so the aws CLI's retries fail too), and
 * downloads of matching keys with one byte flipped in transit (same length, same headers).
 * Everything else is passed through unchanged. Point a script at it with `env()`.
 */
import * as http from "node:http";
import * as net from "node:net";

export interface FaultProxy {
    readonly endpoint: string;
    /** The moto environment with AWS_ENDPOINT_URL pointing at the proxy. */
    env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
    /** Uploads (PUT/POST) whose path matches fail with HTTP 500. */
    failUploads(path: RegExp): void;
    /** Downloads (GET) whose path matches get the middle byte of their body flipped. */
    flipDownloads(path: RegExp): void;
    /** How many requests each fault answered. */
    readonly injected: { uploadsFailed: number; downloadsFlipped: number };
    clear(): void;
    close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
    const target = new URL(upstream);
    let failing: RegExp | undefined;
    let flipping: RegExp | undefined;
    const injected = { uploadsFailed: 0, downloadsFlipped: 0 };
    const server = http.createServer((req, res) => {
        const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
        if ((req.method === "PUT" || req.method === "POST") && failing?.test(path)) {
            injected.uploadsFailed++;
            req.resume();
            req.on("end", () => {
                res.writeHead(500, { "content-type": "application/xml" });
                res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test proxy</Message></Error>');
            });
            return;
        }
        const flip = req.method === "GET" && flipping?.test(path) === true;
        const forward = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upstreamRes) => {
            if (!flip || upstreamRes.statusCode !== 200) {
                res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
                upstreamRes.pipe(res);
                return;
            }
            const chunks: Buffer[] = [];
            upstreamRes.on("data", (c: Buffer) => chunks.push(c));
            upstreamRes.on("end", () => {
                const body = Buffer.concat(chunks);
                if (body.length > 0) {
                    body[Math.floor(body.length / 2)] ^= 0x01;
                    injected.downloadsFlipped++;
                }
                // Without the ETag and S3's checksum headers the aws CLI cannot check the body itself (as with
                // objects uploaded in parts by clients that send no checksum): only the manifest's sha256 can.
                const headers = Object.fromEntries(Object.entries(upstreamRes.headers).filter(([h]) => h !== "etag" && !h.startsWith("x-amz-checksum")));
                res.writeHead(200, headers);
                res.end(body);
            });
        });
        forward.on("error", () => res.destroy());
        req.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    const endpoint = `http://127.0.0.1:${port}`;
    return {
        endpoint,
        env: (base) => ({ ...base, AWS_ENDPOINT_URL: endpoint }),
        failUploads: (p) => {
            failing = p;
        },
        flipDownloads: (p) => {
            flipping = p;
        },
        injected,
        clear: () => {
            failing = undefined;
            flipping = undefined;
        },
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
