/**
 * A byte-level splitter for HAR captures of any size: it walks the bytes of
 * the document as they are read, tracking string and escape state, nesting and
 * the JSON grammar, finds the top-level `log.entries` array and hands back each
 * entry as raw bytes, never decoding or parsing the document as a whole. The
 * entries are parsed later (JSON.parse, in worker threads when there are
 * several), so the reading thread does little per byte and memory holds one
 * chunk plus one entry at most.
 *
 * What it checks itself: brackets, commas, colons, quotes and the bytes allowed
 * between tokens, so a truncated or garbled file is an error with its byte
 * offset. What it leaves to JSON.parse: the spelling of numbers and literals
 * and the escapes inside strings, which only ever fail the one entry they are in.
 */
import { TwilioProtocolError } from "../core/errors.js";

/** The capture is not JSON (or ends early): the message names the byte offset where reading stopped. */
export class HarSyntaxError extends TwilioProtocolError {
  static {
    Object.defineProperty(this.prototype, "name", { value: "HarSyntaxError", writable: true, configurable: true });
  }
  /** Byte offset in the file (a leading byte-order mark counts). */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.offset = offset;
  }
}

/**
 * One item of `log.entries`, in document order. `parts` are views into the
 * chunks read (valid until the next call to `push`): copy what you keep.
 */
export type HarPiece =
  | { kind: "entry"; index: number; parts: Buffer[]; size: number }
  /** Larger than `maxEntryBytes`: its bytes were skipped, not kept. */
  | { kind: "too-large"; index: number; size: number }
  /** Nested deeper than `maxDepth` below the entry: skipped unparsed (JSON.parse would need memory for every level). */
  | { kind: "too-deep"; index: number };

export interface HarScanOptions {
  maxEntryBytes: number;
  /** The entry object itself is depth 0, as in `tooDeep` (check.ts). */
  maxDepth: number;
}

// Grammar states of the innermost open container (or of the top level).
const VALUE = 0; // a value must come (top level, after ':' or after ',' in an array)
const VALUE_OR_END = 1; // after '['
const KEY_OR_END = 2; // after '{'
const KEY = 3; // after ',' in an object
const COLON = 4; // after a key
const AFTER = 5; // after a value: ',' or the container's end (at the top level: only whitespace)

const OBJECT = 1;
const ARRAY = 2;
/** Outside entries no HAR nests this deep; the limit keeps the bracket stack a fixed size. */
const MAX_OUTER_DEPTH = 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BOM = [0xef, 0xbb, 0xbf];

/** Bytes that may make up a number or a literal (true, false, null); JSON.parse judges their spelling. */
const SCALAR = new Uint8Array(256);
for (const c of "0123456789+-.eEtrufalsn") SCALAR[c.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) SCALAR[c] = SCALAR[c + 0x20] = 1;
const SPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) SPACE[c] = 1;

export class HarScanner {
  private readonly types: Uint8Array;
  private depth = 0;
  private state = VALUE;
  private inString = false;
  private escaped = false;
  private inScalar = false;
  /** The string being read is a key on the way to log.entries, kept to compare. */
  private keyParts: Buffer[] | undefined;
  private keySize = 0;
  private keyStart = 0;
  private lastKey: string | undefined;
  private logDepth = 0;
  private entriesDepth = 0;
  private entriesSeen = false;
  private sawValue = false;
  // The entry being read.
  private entryIndex = -1;
  private inEntry = false;
  private entryParts: Buffer[] | undefined = [];
  private entrySize = 0;
  private partStart = 0;
  /**
   * Inside an entry's brackets only strings and nesting are followed, to find its end: its grammar is JSON.parse's
   * to judge where it is parsed (an entry that is not JSON fails alone), and the reading thread does less per byte.
   */
  private counting = false;
  /** The entry nests deeper than `maxDepth`: it is reported, not parsed. */
  private deep = false;
  // Per chunk.
  private offset = 0;
  private bomBytes = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private quoteAt = -1;
  private backslashAt = -1;
  private out: HarPiece[] = [];
  /** Where the document broke, once it has. */
  error: HarSyntaxError | undefined;

  constructor(private readonly options: HarScanOptions) {
    this.types = new Uint8Array(MAX_OUTER_DEPTH + options.maxDepth + 8);
  }

  /** Whether the top-level `log.entries` array was found. */
  get foundEntries(): boolean {
    return this.entriesSeen;
  }

  /**
   * Scans the next chunk; answers the entries it completed, as views of it (valid until the chunk is reused). What
   * the scanner keeps of it (the start of an entry not yet complete) it copies, so the caller may reuse the chunk's
   * buffer for the next read. Where the JSON breaks, `error` is set and the entries completed before it are still
   * answered.
   */
  push(chunk: Buffer): HarPiece[] {
    this.out = [];
    this.chunk = chunk;
    this.quoteAt = this.backslashAt = -1;
    let i = 0;
    const n = chunk.length;
    // A byte-order mark, as some Windows tools write, is not part of the JSON (its bytes may arrive one by one).
    while (this.offset + i < 3 && i < n && chunk[i] === BOM[this.offset + i] && this.offset + i === this.bomBytes) {
      i++;
      this.bomBytes++;
    }
    if (this.inEntry) this.partStart = 0;
    if (this.error) throw this.error;
    try {
      while (i < n) {
        if (this.inString) i = this.string(i);
        else if (this.inScalar) i = this.scalar(i);
        else if (this.counting) i = this.count(i);
        else i = this.token(i);
      }
    } catch (e) {
      if (!(e instanceof HarSyntaxError)) throw e;
      // The entries completed before the break are still answered; `error` says where it broke.
      this.error = e;
      return this.out;
    }
    if (this.inEntry) this.keepEntryBytes(n);
    if (this.keyParts && this.inString) this.keepKey(this.keyStart, n);
    this.offset += n;
    return this.out;
  }

  /** The input ended: throws if the document is incomplete. */
  end(): void {
    const at = this.offset;
    if (this.inString || this.depth > 0) throw new HarSyntaxError(`the file ends early, ${this.where()}`, at);
    if (!this.sawValue) throw new HarSyntaxError("the file is empty", at);
    this.inScalar = false;
  }

  private where(): string {
    if (this.inEntry) return `inside log.entries[${this.entryIndex}]`;
    return this.depth > 0 ? `${this.depth} bracket(s) still open` : "at the top level";
  }

  private fail(message: string, i: number): never {
    throw new HarSyntaxError(`${message} (${this.where()})`, this.offset + i);
  }

  private unexpected(i: number): never {
    const c = this.chunk[i]!;
    const shown = c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, "0")}`;
    this.fail(`unexpected ${shown}`, i);
  }

  /** Inside a string: jumps to its closing quote (escapes skipped), or to the end of the chunk. */
  private string(i: number): number {
    const chunk = this.chunk;
    const n = chunk.length;
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    for (;;) {
      if (this.quoteAt < i) this.quoteAt = find(chunk, QUOTE, i);
      if (this.backslashAt < i) this.backslashAt = find(chunk, BACKSLASH, i);
      if (this.backslashAt < this.quoteAt) {
        i = this.backslashAt + 2;
        if (i > n) {
          this.escaped = true;
          return n;
        }
        continue;
      }
      if (this.quoteAt === n) return n;
      const end = this.quoteAt;
      this.inString = false;
      if (this.counting) return end + 1;
      if (this.state !== COLON) this.valueEnded(end + 1);
      else if (this.keyParts) this.keyEnded(end);
      else this.lastKey = undefined;
      return end + 1;
    }
  }

  private keepKey(from: number, to: number): void {
    this.keyStart = 0;
    this.keySize += to - from;
    if (this.keySize <= 256) this.keyParts!.push(Buffer.from(this.chunk.subarray(from, to)));
  }

  private keyEnded(end: number): void {
    this.keepKey(this.keyStart, end);
    const raw = this.keySize <= 256 ? Buffer.concat(this.keyParts!).toString("utf8") : "";
    this.keyParts = undefined;
    this.lastKey = raw.includes("\\") ? decodeKey(raw) : raw;
  }

  /** A number or literal: its bytes up to the next delimiter. */
  private scalar(i: number): number {
    const chunk = this.chunk;
    const n = chunk.length;
    while (i < n && SCALAR[chunk[i]!] === 1) i++;
    if (i < n) {
      this.inScalar = false;
      this.valueEnded(i);
    }
    return i;
  }

  /** Inside an entry's brackets: nesting is counted (strings skipped) until the entry closes. */
  private count(i: number): number {
    const chunk = this.chunk;
    const n = chunk.length;
    const limit = this.entriesDepth + this.options.maxDepth;
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (c === QUOTE) {
        this.inString = true;
        return i + 1;
      }
      if (c === 0x7b || c === 0x5b) {
        if (++this.depth > limit && !this.deep) {
          this.deep = true;
          this.entryParts = undefined;
        }
      } else if ((c === 0x7d || c === 0x5d) && --this.depth === this.entriesDepth) {
        this.counting = false;
        this.state = AFTER;
        this.entryEnded(i + 1);
        return i + 1;
      }
    }
    return n;
  }

  /** One byte outside strings and scalars. */
  private token(i: number): number {
    const c = this.chunk[i]!;
    if (SPACE[c] === 1) return i + 1;
    const state = this.state;
    switch (c) {
      case QUOTE:
        if (state === KEY || state === KEY_OR_END) {
          this.state = COLON;
          if (this.depth === 1 || (this.depth === 2 && this.logDepth === 2)) {
            this.keyParts = [];
            this.keySize = 0;
            this.keyStart = i + 1;
          }
        } else if (state === VALUE || state === VALUE_OR_END) this.valueStarts(i);
        else this.unexpected(i);
        this.inString = true;
        return i + 1;
      case 0x7b: // {
      case 0x5b: // [
        if (state !== VALUE && state !== VALUE_OR_END) this.unexpected(i);
        this.open(c === 0x7b ? OBJECT : ARRAY, i);
        return i + 1;
      case 0x7d: // }
      case 0x5d: // ]
        this.close(c === 0x7d ? OBJECT : ARRAY, i);
        return i + 1;
      case 0x2c: // ,
        if (state !== AFTER || this.depth === 0) this.unexpected(i);
        this.state = this.types[this.depth] === OBJECT ? KEY : VALUE;
        return i + 1;
      case 0x3a: // :
        if (state !== COLON) this.unexpected(i);
        this.state = VALUE;
        return i + 1;
      default:
        if (SCALAR[c] !== 1 || (state !== VALUE && state !== VALUE_OR_END)) this.unexpected(i);
        this.valueStarts(i);
        this.inScalar = true;
        return i;
    }
  }

  private valueStarts(i: number): void {
    this.sawValue = true;
    if (this.depth > 0 && this.depth === this.entriesDepth) {
      this.inEntry = true;
      this.entryIndex++;
      this.entryParts = [];
      this.entrySize = 0;
      this.partStart = i;
    }
  }

  /** `end`: the byte after the value (for a scalar, the delimiter that ended it). */
  private valueEnded(end: number): void {
    this.state = AFTER;
    this.lastKey = undefined;
    if (this.inEntry && this.depth === this.entriesDepth) this.entryEnded(end);
  }

  private open(type: number, i: number): void {
    const key = this.lastKey;
    this.lastKey = undefined;
    this.valueStarts(i);
    const depth = ++this.depth;
    if (this.inEntry) {
      this.counting = true;
      this.deep = this.options.maxDepth < 1;
      return;
    }
    if (depth >= this.types.length) this.fail(`nested deeper than ${MAX_OUTER_DEPTH} levels outside log.entries`, i);
    this.types[depth] = type;
    this.state = type === OBJECT ? KEY_OR_END : VALUE_OR_END;
    if (depth === 2 && type === OBJECT && key === "log" && this.logDepth === 0 && !this.entriesSeen) this.logDepth = 2;
    else if (depth === 3 && type === ARRAY && key === "entries" && this.logDepth === 2 && !this.entriesSeen) {
      this.entriesDepth = 3;
      this.entriesSeen = true;
    }
  }

  private close(type: number, i: number): void {
    const state = this.state;
    const open = this.depth > 0 ? this.types[this.depth] : 0;
    const emptyOk = type === OBJECT ? state === KEY_OR_END : state === VALUE_OR_END;
    if (open !== type || (state !== AFTER && !emptyOk)) this.unexpected(i);
    if (this.depth === this.entriesDepth) this.entriesDepth = -1; // later arrays of that name are not entries
    if (this.depth === this.logDepth) this.logDepth = -1;
    this.depth--;
    this.valueEnded(i + 1);
  }

  private keepEntryBytes(end: number): void {
    this.entrySize += end - this.partStart;
    if (this.entryParts && this.entrySize > this.options.maxEntryBytes) this.entryParts = undefined;
    else if (this.entryParts && end > this.partStart) {
      const part = this.chunk.subarray(this.partStart, end);
      // At the end of a chunk the entry goes on: its start outlives the chunk, so it is copied.
      this.entryParts.push(end === this.chunk.length && this.inEntry ? Buffer.from(part) : part);
    }
  }

  private entryEnded(end: number): void {
    this.keepEntryBytes(end);
    this.inEntry = false;
    const index = this.entryIndex;
    if (this.deep) this.out.push({ kind: "too-deep", index });
    else if (this.entryParts) this.out.push({ kind: "entry", index, parts: this.entryParts, size: this.entrySize });
    else this.out.push({ kind: "too-large", index, size: this.entrySize });
    this.deep = false;
    this.entryParts = undefined;
  }
}

/** Buffer#indexOf (memchr), with "not in this chunk" as the chunk's length. */
function find(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at === -1 ? chunk.length : at;
}

function decodeKey(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
