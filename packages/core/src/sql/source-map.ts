// libpg_query reports statement positions as UTF-8 byte offsets; people read lines and
// columns in characters. Most migrations are ASCII, where the two agree, so that path does
// no re-encoding at all.

const NEWLINE = 10;

export class SourceMap {
  private readonly ascii: boolean;
  private bytes: Buffer | undefined;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    this.ascii = Buffer.byteLength(text, "utf8") === text.length;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }

  /** The character offset of a UTF-8 byte offset. */
  charOffset(byteOffset: number): number {
    if (this.ascii) return byteOffset;
    this.bytes ??= Buffer.from(this.text, "utf8");
    return this.bytes.toString("utf8", 0, byteOffset).length;
  }

  /** The text of a statement given as UTF-8 byte offset and length (0 or missing: to the end). */
  slice(byteStart: number, byteLength?: number): string {
    if (this.ascii) return byteLength ? this.text.slice(byteStart, byteStart + byteLength) : this.text.slice(byteStart);
    return sliceUtf8(this.text, byteStart, byteLength);
  }

  /** Line and column (1-based, in characters) of a character offset. */
  position(charOffset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= charOffset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: charOffset - this.lineStarts[lo]! + 1 };
  }

  /** The first token at or after a character offset: skips blanks and comments. */
  firstToken(charOffset: number): number {
    const t = this.text;
    let i = charOffset;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 9 || c === NEWLINE || c === 13 || c === 12) i += 1;
      else if (c === 45 && t.charCodeAt(i + 1) === 45) {
        const end = t.indexOf("\n", i);
        i = end === -1 ? t.length : end;
      } else if (c === 47 && t.charCodeAt(i + 1) === 42) i = skipBlockComment(t, i);
      else break;
    }
    return i;
  }
}

/** Block comments nest in PostgreSQL. */
function skipBlockComment(t: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < t.length) {
    if (t.charCodeAt(i) === 47 && t.charCodeAt(i + 1) === 42) {
      depth += 1;
      i += 2;
    } else if (t.charCodeAt(i) === 42 && t.charCodeAt(i + 1) === 47) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else i += 1;
  }
  return i;
}

/** The text of a statement given as UTF-8 byte offset and length (0 or missing: to the end). */
export function sliceUtf8(text: string, byteStart = 0, byteLength = 0): string {
  if (Buffer.byteLength(text, "utf8") === text.length)
    return byteLength ? text.slice(byteStart, byteStart + byteLength) : text.slice(byteStart);
  const bytes = Buffer.from(text, "utf8");
  return bytes.toString("utf8", byteStart, byteLength ? byteStart + byteLength : bytes.length);
}
