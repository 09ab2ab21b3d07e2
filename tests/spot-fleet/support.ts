import { FLEET_REPLACE_FORCING_INPUTS } from "../../components/spot/SpotFleet";
import { StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, named, stackDoc } from "../support/graph";

export const T = {
    spotFleet: "dataplat:spot:SpotFleet",
    hostTemplate: "dataplat:compute:HostTemplate",
    fleet: "aws:ec2/fleet:Fleet",
    lt: "aws:ec2/launchTemplate:LaunchTemplate",
    legacySpotFleet: "aws:ec2/spotFleetRequest:SpotFleetRequest",
};

export const FLEET = "activedata-etl-fleet";

/** Sections the spot fleet does not depend on (other engineers' work in progress must not fail spot tests). */
export const OTHER_SECTIONS = ["dataplat:search", "dataplat:origin", "dataplat:platform", "dataplat:controlPlane"];

/** The committed stack document with only the foundation and the spot fleets. */
export function spotDoc(stack: "prod" | "staging" = "prod"): { config: Record<string, any> } {
    const doc = deepClone(stackDoc(stack));
    for (const k of OTHER_SECTIONS) delete doc.config[k];
    return doc;
}

/** The committed prod stack document (foundation and spot fleets only), edited through `edit(etlFleet, doc)`. */
export function prodWith(edit: (etl: Record<string, any>, doc: { config: Record<string, any> }) => void = () => undefined): { config: Record<string, any> } {
    const doc = spotDoc("prod");
    edit(doc.config["dataplat:spotFleets"].etl, doc);
    return doc;
}

export const fleetInputs = (g: StackGraph, name = FLEET): Record<string, any> => named(g, T.fleet, name).inputs as Record<string, any>;

/** Value at a dotted path ("targetCapacitySpecification.spotTargetCapacity"). */
export function at(obj: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** The replace-forcing inputs of a fleet, path -> value (absent ones included as undefined). */
export function replaceForcing(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(FLEET_REPLACE_FORCING_INPUTS.map((p) => [p, at(inputs, p)]));
}
