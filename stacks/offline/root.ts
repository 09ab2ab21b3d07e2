import * as fs from "node:fs";
import * as path from "node:path";

/** The project root (the folder holding Pulumi.yaml), found from src or dist alike. */
export function repoRoot(): string {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
        const up = path.dirname(dir);
        if (up === dir) throw new Error(`cannot find Pulumi.yaml above ${__dirname}`);
        dir = up;
    }
    return dir;
}
