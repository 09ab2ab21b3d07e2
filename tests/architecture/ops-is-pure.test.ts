/**
 * ops/ decides; it does not act. Under ops/ no file imports @pulumi, child_process, http(s), fs, or calls fetch, or
 * reads the clock (Date.now, new Date() without arguments, performance.now, process.hrtime, setTimeout, setInterval).
 * What acts lives in runners/ (the HTTP client, drains, waits, restarts), components/ and cli/.
 *
 * The check reads each file's syntax tree (TypeScript's parser), so comments and strings that merely name these
 * things do not count, and an aliased import (`import * as cp from "node:child_process"`) does.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { repoRoot } from "../support/repo";

/**
 * Modules whose import is a process, the network or the file system (or the Pulumi engine): the name as written,
 * `node:` prefix optional. node:net's isIPv4/isIPv6 (string parsing, ops/network/cidr.ts) is not among them.
 */
const FORBIDDEN_MODULE = /^(@pulumi\/.*|(node:)?(child_process|http|https|http2|fs|fs\/promises|undici))$/;
/** Calls that read the clock or schedule on it, or send a request. */
const FORBIDDEN_CALLS = new Set([
    "fetch",
    "setTimeout",
    "setInterval",
    "setImmediate",
    "Date.now",
    "performance.now",
    "process.hrtime",
    "process.hrtime.bigint",
]);

function dotted(e: ts.Expression): string | undefined {
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e)) {
        const left = dotted(e.expression);
        return left === undefined ? undefined : `${left}.${e.name.text}`;
    }
    return undefined;
}

/** Each impurity of one source text, as `line: what`. */
export function impurities(fileName: string, text: string): string[] {
    const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const out: string[] = [];
    const at = (n: ts.Node, what: string) => out.push(`${fileName}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}: ${what}`);
    const visit = (n: ts.Node): void => {
        if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
            const m = n.moduleSpecifier.text;
            if (FORBIDDEN_MODULE.test(m)) at(n, `imports ${m}`);
        }
        if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) {
            const m = n.moduleReference.expression.text;
            if (FORBIDDEN_MODULE.test(m)) at(n, `imports ${m}`);
        }
        if (ts.isCallExpression(n)) {
            const callee = n.expression.kind === ts.SyntaxKind.ImportKeyword ? "import" : dotted(n.expression);
            const first = n.arguments[0];
            if ((callee === "require" || callee === "import") && first && ts.isStringLiteral(first) && FORBIDDEN_MODULE.test(first.text))
                at(n, `${callee}s ${first.text}`);
            if (callee !== undefined && FORBIDDEN_CALLS.has(callee)) at(n, `calls ${callee}`);
        }
        if (ts.isNewExpression(n) && dotted(n.expression) === "Date" && (n.arguments === undefined || n.arguments.length === 0))
            at(n, "reads the clock (new Date())");
        ts.forEachChild(n, visit);
    };
    visit(sf);
    return out;
}

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
    });
}

describe("ops/ is pure: no Pulumi, no process, no network, no file system, no clock", () => {
    const root = path.join(repoRoot(), "ops");

    it("no file under ops/ imports or calls any of them", () => {
        const files = tsFiles(root);
        assert.ok(files.length > 50, `found ${files.length} files under ops/`);
        const found = files.flatMap((f) => impurities(path.relative(repoRoot(), f), fs.readFileSync(f, "utf8")));
        assert.deepEqual(found, [], `impure code under ops/ (move it to runners/, components/ or cli/):\n${found.join("\n")}`);
    });

    it("the check can fail: it finds each kind, however it is written, and ignores comments and strings", () => {
        const sample = [
            'import * as pulumi from "@pulumi/pulumi";',
            'import { spawn } from "node:child_process";',
            'import * as https from "https";',
            'import { readFileSync } from "fs";',
            'export * from "node:fs/promises";',
            'const cp = require("child_process");',
            'const later = () => import("node:http");',
            'fetch("http://x");',
            "const a = Date.now();",
            "const b = new Date();",
            "const c = performance.now();",
            "const d = process.hrtime.bigint();",
            "setTimeout(() => 1, 5);",
            "setInterval(() => 1, 5);",
            "// Date.now() and fetch() in a comment; new Date() too",
            'const s = "import from @pulumi/aws, Date.now()";',
            "const fixed = new Date(0);",
        ].join("\n");
        const found = impurities("sample.ts", sample);
        assert.equal(found.length, 14, found.join("\n"));
        for (const line of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
            assert.ok(
                found.some((f) => f.startsWith(`sample.ts:${line}:`)),
                `line ${line}: ${found.join("; ")}`,
            );
    });
});
