/**
 * NUT's one lexer ("parseconf" rules), shared by the network protocol, the
 * driver socket protocol, every config file and dummy-ups data files.
 *
 * Rules (see docs/architecture.md and the protocol reference):
 * - words are split on space, TAB, CR, VT, FF; LF ends a line; `#` starts a comment;
 * - `"..."` quotes a word (an empty `""` is still a word); `\` takes the next char
 *   literally; `\` + LF continues the line; LF inside quotes is dropped and the
 *   quoted word goes on;
 * - every unquoted, unescaped `=` is a word of its own; a `"` inside an unquoted
 *   word is an ordinary character;
 * - a `#` inside quotes is a parse error;
 * - characters below 0x20 or above 0x7F are never stored in a word;
 * - at most 32 words per line (the rest are dropped) and 512 chars per word
 *   (the rest is cut).
 *
 * Unlike NUT, a parse error skips the rest of the physical line (NUT restarts
 * in the middle of it, or drops the rest of a 512-byte read).
 */

export const MAX_WORDS = 32;
export const MAX_WORD_LEN = 512;

const enum S {
  WordStart,
  Collect,
  Literal,
  Quoted,
  QLiteral,
  Comment,
  Skip,
}

const LF = 0x0a;
const HASH = 0x23;
const BSLASH = 0x5c;
const DQUOTE = 0x22;
const EQ = 0x3d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

export const UNBALANCED_HASH = 'Unbalanced word due to unescaped # in quotes';

/**
 * Incremental lexer: push chunks of bytes, get whole lines of words.
 * Memory stays bounded whatever the input: a word is capped, a line is capped
 * at MAX_WORDS words, and nothing else is kept between chunks.
 */
export class StreamLexer {
  private state: S = S.WordStart;
  private word = new Uint8Array(MAX_WORD_LEN);
  private wlen = 0;
  private inWord = false;
  private words: string[] = [];
  /** Number of characters dropped by the character filter on this line. */
  discarded = 0;
  /** 1-based line number where the current logical line began. */
  private physLine = 1;
  private lineStart = 1;

  /**
   * With options.emptyLines, a line with no words (blank, whitespace or
   * comment only) is delivered too, as an empty array: upsd answers those
   * (ERR UNKNOWN-COMMAND). Config readers leave it off.
   */
  private readonly emptyLines: boolean;

  /**
   * With options.droppedWords, a word whose every character was dropped by
   * the character filter (e.g. a lone non-ASCII byte) still counts, as an
   * empty word: NUT's parseconf does this (dummy-ups 2.8.0 reads
   * `ups.model: \xc2\xa0 X` as the value " X") [obs].
   */
  private readonly droppedWords: boolean;

  constructor(
    private readonly onLine: (words: string[], line: number) => void,
    private readonly onError: (message: string, line: number) => void = () => {},
    options?: { emptyLines?: boolean; droppedWords?: boolean },
  ) {
    this.emptyLines = options?.emptyLines === true;
    this.droppedWords = options?.droppedWords === true;
  }

  private add(c: number): void {
    if (c < 0x20 || c > 0x7f) {
      this.discarded++;
      return;
    }
    if (this.wlen < MAX_WORD_LEN) this.word[this.wlen++] = c;
  }

  private endWord(quoted = false): void {
    // an empty word counts only when it was quoted ("")
    if ((this.wlen > 0 || quoted || (this.droppedWords && this.inWord)) && this.words.length < MAX_WORDS) {
      this.words.push(this.wlen === 0 ? '' : Buffer.prototype.latin1Slice.call(this.word, 0, this.wlen) as string);
    }
    this.wlen = 0;
    this.inWord = false;
  }

  private endLine(): void {
    if (this.inWord) this.endWord();
    const words = this.words;
    this.words = [];
    const line = this.lineStart;
    this.lineStart = this.physLine;
    this.discarded = 0;
    if (words.length > 0 || this.emptyLines) this.onLine(words, line);
  }

  /** Feed bytes. Lines are delivered synchronously through onLine. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let st = this.state;
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!;
      if (c === LF) this.physLine++;
      switch (st) {
        case S.WordStart:
          if (c === LF) {
            this.state = st;
            this.endLine();
          } else if (c === HASH) st = S.Comment;
          else if (isSpace(c)) {
            /* stay */
          } else if (c === BSLASH) {
            this.inWord = true;
            st = S.Literal;
          } else if (c === DQUOTE) {
            this.inWord = true;
            st = S.Quoted;
          } else if (c === EQ) {
            this.inWord = true;
            this.add(c);
            this.endWord();
          } else {
            this.inWord = true;
            this.add(c);
            st = S.Collect;
          }
          break;
        case S.Collect:
          if (c === HASH) {
            this.endWord();
            st = S.Comment;
          } else if (c === LF) {
            st = S.WordStart;
            this.state = st;
            this.endLine();
          } else if (isSpace(c)) {
            this.endWord();
            st = S.WordStart;
          } else if (c === EQ) {
            this.endWord();
            this.inWord = true;
            this.add(c);
            this.endWord();
            st = S.WordStart;
          } else if (c === BSLASH) st = S.Literal;
          else this.add(c);
          break;
        case S.Literal:
          // backslash-newline continues the line
          if (c !== LF) this.add(c);
          st = S.Collect;
          break;
        case S.Quoted:
          if (c === DQUOTE) {
            this.endWord(true);
            st = S.WordStart;
          } else if (c === BSLASH) st = S.QLiteral;
          else if (c === HASH) {
            this.words = [];
            this.wlen = 0;
            this.inWord = false;
            this.onError(UNBALANCED_HASH, this.lineStart);
            st = S.Skip;
          } else this.add(c);
          break;
        case S.QLiteral:
          if (c !== LF) this.add(c);
          st = S.Quoted;
          break;
        case S.Comment:
          if (c === LF) {
            st = S.WordStart;
            this.state = st;
            this.endLine();
          }
          break;
        case S.Skip:
          if (c === LF) {
            st = S.WordStart;
            this.words = [];
            this.lineStart = this.physLine;
            this.discarded = 0;
          }
          break;
      }
    }
    this.state = st;
  }

  /** End of input: a last line without LF still counts. */
  end(): void {
    if (this.state === S.Quoted || this.state === S.QLiteral) {
      // an unbalanced quote at EOF: NUT ends the word there
      this.endWord(true);
    }
    if (this.state !== S.Skip) this.endLine();
    this.state = S.WordStart;
  }

  /** True while the lexer sits inside an unfinished quoted word. */
  get inQuotes(): boolean {
    return this.state === S.Quoted || this.state === S.QLiteral;
  }

  /**
   * True between lines: nothing of a line is pending (no words, no partial
   * word, no open quote, comment or escape). A lexer at rest carries no
   * state but line numbers, so a server may pool it between reads.
   */
  get atRest(): boolean {
    return this.state === S.WordStart && this.words.length === 0 && !this.inWord && this.wlen === 0;
  }
}

export interface LexedLine {
  words: string[];
  /** 1-based line where the logical line starts. */
  line: number;
}

export interface LexError {
  line: number;
  message: string;
}

/** Lexes a whole file (or text) into lines of words, collecting parse errors. */
export function lexText(text: string | Uint8Array, options?: { droppedWords?: boolean }): { lines: LexedLine[]; errors: LexError[] } {
  const lines: LexedLine[] = [];
  const errors: LexError[] = [];
  const lx = new StreamLexer(
    (words, line) => lines.push({ words, line }),
    (message, line) => errors.push({ line, message }),
    options,
  );
  lx.push(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  if (lx.inQuotes) errors.push({ line: lines.length ? lines[lines.length - 1]!.line + 1 : 1, message: 'Unbalanced quote at end of file' });
  lx.end();
  return { lines, errors };
}

/** Lexes one line (no LF) into words, as NUT would. Parse errors give null. */
export function lexLine(line: string): string[] | null {
  let out: string[] | null = [];
  let failed = false;
  const lx = new StreamLexer(
    (w) => {
      if (out) out = out.concat(w);
    },
    () => {
      failed = true;
    },
  );
  lx.push(Buffer.from(line, 'latin1'));
  lx.end();
  return failed ? null : out;
}

const NEEDS_ESCAPE = /["\\#]/;

/** NUT's pconf_encode: a backslash before each `"`, `\` and `#`. */
export function encodeValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/["\\#]/g, '\\$&');
}

/** A value as NUT sends it: encoded and wrapped in double quotes. */
export function quote(v: string): string {
  return '"' + encodeValue(v) + '"';
}

/** Inverse of encodeValue (what the lexer does to a quoted word). */
export function decodeValue(v: string): string {
  if (v.indexOf('\\') < 0) return v;
  return v.replace(/\\(.)/g, '$1');
}
