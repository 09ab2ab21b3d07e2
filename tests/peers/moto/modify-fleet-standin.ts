/**
 * A recording stand-in for the one EC2 call moto does not have, ModifyFleet, in front of a real moto.
 *
 * Why it exists: moto 5.2.5 (the peers venv, tests/peers/moto/install.sh) implements CreateFleet, DescribeFleets,
 * DescribeFleetInstances and DeleteFleets only (moto/ec2/responses/fleets.py), and its Fleet model
 * (moto/ec2/models/fleets.py) offers no call, public or moto-api, that changes a fleet's target capacity after
 * creation. The emergency switch's ETL scripts (ops/emergency/scripts.ts etlScript) call `aws ec2 modify-fleet`
 * and then poll `aws ec2 describe-fleets` until the fleet is not `modifying` and has the target.
 *
 * What it does: Action=ModifyFleet is answered here. The fleet must exist in moto (asked with DescribeFleets, so
 * an unknown id is refused like EC2 refuses it); the requested TotalTargetCapacity is recorded, and moto's
 * DescribeFleets answers for that fleet are rewritten to report it, `modifying` for the first poll after the
 * modification and `active` after that. A fleet can be told to refuse ModifyFleet (an EC2 error answer, HTTP 400,
 * which the aws CLI does not retry) or to stay `modifying`. Every other call goes to moto unchanged, and
 * DescribeFleets answers are moto's own apart from those two fields of modified fleets. Every call through the
 * stand-in (the EC2 query action, with the fleet id and target where there is one) is recorded in order.
 */
import * as http from "node:http";
import * as net from "node:net";

export interface FleetCall {
    readonly action: string;
    /** FleetId (ModifyFleet) or the first FleetId.N (DescribeFleets). */
    readonly fleetId?: string;
    /** ModifyFleet's TargetCapacitySpecification.TotalTargetCapacity. */
    readonly target?: number;
}

export interface ModifyFleetStandIn {
    readonly endpoint: string;
    /** The calls that reached the stand-in, in order. */
    readonly calls: readonly FleetCall[];
    /** ModifyFleet of this fleet is answered with an EC2 error. */
    refuse(fleetId: string): void;
    /** After a ModifyFleet this fleet reports `modifying` for good. */
    stayModifying(fleetId: string): void;
    /** Forget every recorded target, behaviour and call: DescribeFleets answers are moto's again. */
    reset(): void;
    close(): Promise<void>;
}

interface Modified {
    target: number;
    /** DescribeFleets answers still to report `modifying`. */
    modifyingPolls: number;
}

const EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

function ec2Error(res: http.ServerResponse, code: string, message: string): void {
    res.writeHead(400, { "content-type": "text/xml;charset=UTF-8" });
    res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>modify-fleet-standin</RequestID></Response>`,
    );
}

/** The `<item>` of fleetId in a DescribeFleets answer, with its fleetState and totalTargetCapacity replaced. */
export function rewriteFleet(xml: string, fleetId: string, state: string, target: number): string {
    const at = xml.indexOf(`<fleetId>${fleetId}</fleetId>`);
    if (at === -1) return xml;
    const next = xml.indexOf("<fleetId>", at + 1);
    const end = next === -1 ? xml.length : next;
    const item = xml
        .slice(at, end)
        .replace(/<fleetState>[^<]*<\/fleetState>/, `<fleetState>${state}</fleetState>`)
        .replace(/<totalTargetCapacity>[^<]*<\/totalTargetCapacity>/, `<totalTargetCapacity>${target}</totalTargetCapacity>`);
    return xml.slice(0, at) + item + xml.slice(end);
}

export async function startModifyFleetStandIn(moto: string): Promise<ModifyFleetStandIn> {
    const upstream = new URL(moto);
    const calls: FleetCall[] = [];
    const modified = new Map<string, Modified>();
    const refused = new Set<string>();
    const stuck = new Set<string>();

    /** One request to moto with the caller's headers (moto does not check signatures) and this body. */
    const toMoto = (req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
        new Promise((resolve, reject) => {
            const headers = { ...req.headers, "content-length": String(body.length) };
            delete headers["accept-encoding"];
            const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (r) => {
                const chunks: Buffer[] = [];
                r.on("data", (c: Buffer) => chunks.push(c));
                r.on("end", () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(chunks) }));
                r.on("error", reject);
            });
            forward.on("error", reject);
            forward.end(body);
        });

    const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> => {
        const form = new URLSearchParams(req.method === "POST" ? body.toString("utf8") : ((req.url ?? "").split("?")[1] ?? ""));
        const action = form.get("Action") ?? "";
        if (action === "ModifyFleet") {
            const fleetId = form.get("FleetId") ?? "";
            const target = Number(form.get("TargetCapacitySpecification.TotalTargetCapacity"));
            calls.push({ action, fleetId, target });
            if (refused.has(fleetId)) return ec2Error(res, "UnauthorizedOperation", `the test refuses ModifyFleet of ${fleetId}`);
            if (!Number.isInteger(target) || target < 0) return ec2Error(res, "InvalidParameterValue", "TotalTargetCapacity must be a whole number");
            const check = await toMoto(
                req,
                Buffer.from(new URLSearchParams({ Action: "DescribeFleets", Version: form.get("Version") ?? "2016-11-15", "FleetId.1": fleetId }).toString()),
            );
            if (check.status !== 200 || !check.body.toString("utf8").includes(`<fleetId>${fleetId}</fleetId>`)) {
                return ec2Error(res, "InvalidFleetId.NotFound", `The fleet ID '${fleetId}' does not exist`);
            }
            modified.set(fleetId, { target, modifyingPolls: 1 });
            res.writeHead(200, { "content-type": "text/xml;charset=UTF-8" });
            res.end(
                `<?xml version="1.0" encoding="UTF-8"?>\n<ModifyFleetResponse xmlns="${EC2_NS}"><requestId>modify-fleet-standin</requestId><return>true</return></ModifyFleetResponse>`,
            );
            return;
        }
        const fleetIds = [...form.entries()].filter(([k]) => /^FleetId\.\d+$/.test(k)).map(([, v]) => v);
        calls.push(action === "DescribeFleets" && fleetIds.length > 0 ? { action, fleetId: fleetIds[0]! } : { action });
        const answer = await toMoto(req, body);
        let out = answer.body;
        if (action === "DescribeFleets" && answer.status === 200) {
            let xml = out.toString("utf8");
            for (const [id, m] of modified) {
                if (!xml.includes(`<fleetId>${id}</fleetId>`)) continue;
                const modifying = stuck.has(id) || m.modifyingPolls > 0;
                if (m.modifyingPolls > 0) m.modifyingPolls--;
                xml = rewriteFleet(xml, id, modifying ? "modifying" : "active", m.target);
            }
            out = Buffer.from(xml, "utf8");
        }
        const headers = { ...answer.headers, "content-length": String(out.length) };
        delete headers["transfer-encoding"];
        res.writeHead(answer.status, headers);
        res.end(out);
    };

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            handle(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
                res.writeHead(502, { "content-type": "text/plain" });
                res.end(`modify-fleet stand-in: ${(e as Error).message}`);
            });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        calls,
        refuse: (id) => void refused.add(id),
        stayModifying: (id) => void stuck.add(id),
        reset: () => {
            calls.length = 0;
            modified.clear();
            refused.clear();
            stuck.clear();
        },
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
