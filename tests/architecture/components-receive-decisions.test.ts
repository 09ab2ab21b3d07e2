/**
 * Issue 13 point 1: components receive decisions and make none. The LayeredPlatform and the ControlPlane take
 * their layout from the plan (ops/platform/plan.ts platformLayout, ops/controlplane/plan.ts controlPlaneLayout):
 * from ops/ they import types only, so no decision function (layer order, scripts, names, placement checks)
 * can run inside them again. Read from each file's syntax tree (TypeScript's parser).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { repoRoot } from "../support/repo";

const COMPONENTS = ["components/platform/LayeredPlatform.ts", "components/controlplane/ControlPlane.ts"];

/** Runtime (non-type) imports from ops/ in a source text: `name from module` for each. */
function valueImportsFromOps(file: string, text: string): string[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const out: string[] = [];
    for (const s of source.statements) {
        if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) continue;
        const from = s.moduleSpecifier.text;
        if (!/(^|\/)ops\//.test(from)) continue;
        const clause = s.importClause;
        if (clause === undefined) out.push(`(side effects) from ${from}`);
        else if (clause.isTypeOnly) continue;
        else {
            if (clause.name) out.push(`${clause.name.text} from ${from}`);
            const bindings = clause.namedBindings;
            if (bindings && ts.isNamespaceImport(bindings)) out.push(`* as ${bindings.name.text} from ${from}`);
            if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) if (!e.isTypeOnly) out.push(`${e.name.text} from ${from}`);
        }
    }
    return out;
}

describe("components receive decisions and make none (issue 13 point 1)", () => {
    for (const file of COMPONENTS) {
        it(`${file} imports only types from ops/`, () => {
            assert.deepEqual(valueImportsFromOps(file, fs.readFileSync(path.join(repoRoot(), file), "utf8")), []);
        });
    }

    it("the check can fail: a named, default, namespace or side-effect import from ops/ is found; type imports are not", () => {
        const text = [
            'import { layerGraph, type LayerGraph } from "../../ops/platform/layers";',
            'import type { PlatformLayout } from "../../ops/platform/plan";',
            'import * as naming from "../../ops/controlplane/naming";',
            'import scripts from "../../ops/controlplane/scripts";',
            'import "../../ops/shared/hosts";',
            'import * as pulumi from "@pulumi/pulumi";',
            '// import { serviceCommands } from "../../ops/platform/scripts";',
        ].join("\n");
        assert.deepEqual(valueImportsFromOps("x.ts", text), [
            "layerGraph from ../../ops/platform/layers",
            "* as naming from ../../ops/controlplane/naming",
            "scripts from ../../ops/controlplane/scripts",
            "(side effects) from ../../ops/shared/hosts",
        ]);
    });
});
