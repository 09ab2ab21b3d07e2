/**
 * The one way this program writes shell text. Pure: no I/O.
 *
 * `sh` is a tagged template whose every interpolated value is single-quoted, so a value reaches bash as one word
 * whatever it holds (quotes, `$(...)`, newlines, backslashes). Text that must not be quoted says so where it is
 * interpolated, with an explicit escape:
 * - `raw(text)`: a fragment the author vouches for (a script part built by `sh`, a fixed function library);
 * - `int(n)`: an integer, written bare (asserted, so `1; rm -rf /` cannot pass as a number);
 * - `num(n)`: a finite number, written bare (a `sleep` of 0.1 s; bash arithmetic takes only `int`);
 * - `arg(value)`: a command-line argument, bare when it is a plain word, single-quoted otherwise;
 * - `comment(text)`: text after a `#`, asserted to be one line (a newline would end the comment);
 * - an array: each element as above, separated by spaces.
 * `heredoc` embeds a file's content with a terminator that does not occur in it.
 *
 * The template text itself is taken as written (raw): a backslash is a backslash, as bash will read it. Only `\${`
 * (a bash `${`) and "\`" (a backquote) are unescaped, since a template literal cannot hold them otherwise.
 */

/** Shell text interpolated as written: made only by the escapes below, so each unquoted value is visible. */
export class Shell {
    /** @internal use raw(), int(), num(), arg() or comment(). */
    constructor(readonly text: string) {}
    toString(): string {
        return this.text;
    }
}

/** A value `sh` can interpolate. */
export type ShellValue = Shell | string | number | readonly (Shell | string | number)[];

/** Single-quotes a value for bash: `'` becomes `'\''`. The default of `sh` for every string and number. */
export function quote(value: string | number): string {
    return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** A trusted fragment, interpolated as written. */
export function raw(text: string): Shell {
    return new Shell(text);
}

/** An integer written bare (`timeout=300`, `$(( x + 3 ))`). Throws for anything else. */
export function int(n: number): Shell {
    if (typeof n !== "number" || !Number.isSafeInteger(n)) throw new RangeError(`not an integer for shell text: ${String(n)}`);
    return new Shell(String(n));
}

/** A finite number written bare (`sleep 0.5`). Throws for NaN, the infinities and anything not a number. */
export function num(n: number): Shell {
    if (typeof n !== "number" || !Number.isFinite(n)) throw new RangeError(`not a finite number for shell text: ${String(n)}`);
    return new Shell(String(n));
}

/** Characters that never need quoting in a word (no glob, no expansion, no `~` at the start, no separator). */
const PLAIN_WORD = /^[A-Za-z0-9_./:=@%+-]+$/;

/** A command-line argument: bare when it is a plain word (`--node`, `data-1-g2`), single-quoted otherwise. */
export function arg(value: string): Shell {
    return new Shell(PLAIN_WORD.test(value) ? value : quote(value));
}

/** Text for a `# ...` comment: one line. */
export function comment(text: string): Shell {
    if (/[\r\n]/.test(text)) throw new RangeError(`a shell comment must be one line: ${JSON.stringify(text)}`);
    return new Shell(text);
}

function interpolate(value: ShellValue): string {
    if (value instanceof Shell) return value.text;
    if (typeof value === "string" || typeof value === "number") return quote(value);
    if (Array.isArray(value)) return value.map((v) => interpolate(v)).join(" ");
    throw new TypeError(`sh: cannot interpolate ${typeof value} (quote a string or number, or use raw/int/arg)`);
}

/** The shell toolkit's template: every interpolated value single-quoted unless it is a Shell escape. */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): string {
    let out = "";
    strings.raw.forEach((text, i) => {
        out += text.replace(/\\\$\{/g, "${").replace(/\\`/g, "`");
        if (i < values.length) out += interpolate(values[i]!);
    });
    return out;
}

/**
 * A command reading `content` from a quoted heredoc (no expansion inside): `line` builds the command's line around
 * the operator it is given (`cat > file <<'DATAPLAT_EOF'`, `tee f <<'DATAPLAT_EOF' || die ...`); the content and
 * the terminator follow. The terminator is `preferred` unless the content holds it anywhere, else the first
 * `<preferred>_<n>` it does not hold. The content must be empty or end with a newline (the terminator needs its
 * own line).
 */
export function heredoc(line: (operator: Shell) => string, content: string, preferred = "DATAPLAT_EOF"): string {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(preferred)) throw new RangeError(`not a heredoc terminator: ${JSON.stringify(preferred)}`);
    if (content !== "" && !content.endsWith("\n")) throw new RangeError("heredoc content must end with a newline");
    let terminator = preferred;
    for (let n = 1; content.includes(terminator); n++) terminator = `${preferred}_${n}`;
    const first = line(raw(`<<'${terminator}'`));
    if (/[\r\n]/.test(first)) throw new RangeError("the command line of a heredoc must be one line");
    return `${first}\n${content}${terminator}\n`;
}
