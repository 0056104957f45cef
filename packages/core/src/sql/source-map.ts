// libpg_query reports statement positions as UTF-8 byte offsets; people read lines and
// columns in characters. This maps one to the other without re-encoding per lookup.

const NEWLINE = 0x0a;

export class SourceMap {
  private readonly bytes: Buffer;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, "utf8");
    for (let i = 0; i < this.bytes.length; i += 1) if (this.bytes[i] === NEWLINE) this.lineStarts.push(i + 1);
  }

  /** Line and column (1-based, in characters) of a byte offset. */
  position(byteOffset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= byteOffset) lo = mid;
      else hi = mid - 1;
    }
    const start = this.lineStarts[lo]!;
    const column = this.bytes.toString("utf8", start, byteOffset).length + 1;
    return { line: lo + 1, column };
  }

  /** The byte offset of the first token at or after `byteOffset`: skips blanks and comments. */
  firstToken(byteOffset: number): number {
    const b = this.bytes;
    let i = byteOffset;
    while (i < b.length) {
      const c = b[i]!;
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) i += 1;
      else if (c === 0x2d && b[i + 1] === 0x2d) {
        while (i < b.length && b[i] !== NEWLINE) i += 1;
      } else if (c === 0x2f && b[i + 1] === 0x2a) i = skipBlockComment(b, i);
      else break;
    }
    return i;
  }

  /** A character offset (as in parser error cursors) to line and column. */
  positionOfChar(charOffset: number): { line: number; column: number } {
    return this.position(Buffer.byteLength(this.text.slice(0, charOffset), "utf8"));
  }
}

/** Block comments nest in PostgreSQL. */
function skipBlockComment(b: Buffer, start: number): number {
  let depth = 0;
  let i = start;
  while (i < b.length) {
    if (b[i] === 0x2f && b[i + 1] === 0x2a) {
      depth += 1;
      i += 2;
    } else if (b[i] === 0x2a && b[i + 1] === 0x2f) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else i += 1;
  }
  return i;
}
