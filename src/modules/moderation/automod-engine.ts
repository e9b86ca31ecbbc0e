/**
 * AutoMod's evaluation engine: per-community moderation rules stored as data, evaluated on every write of
 * a post, comment, chat message or poll option, inside the write's transaction. Pure: no database, no
 * GraphQL. The service validates a rule with `validateAutoModRule` before storing it, compiles a
 * community's rules once with `compileAutoMod` (and caches the result until they change), then calls
 * `evaluate` on each write and acts on `strongestMatch` of what it answers.
 *
 * Evaluation is linear in the length of the text whatever the rules or the text hold: user-supplied
 * patterns run on RE2 (re2js: no backtracking); keywords run on one Aho-Corasick automaton built from
 * every rule's keywords (see `KeywordAutomaton` for why not on RE2); the fixed JS regular expressions
 * below cannot backtrack more than a bounded number of steps per character.
 */
import { RE2JS, RE2Set } from 're2js';
import { BadInput } from '../../platform/errors';

export enum AutoModAction {
  BLOCK = 'BLOCK',
  HOLD = 'HOLD',
  REPORT = 'REPORT',
  MUTE = 'MUTE',
}

export enum AutoModSubject {
  POST = 'POST',
  COMMENT = 'COMMENT',
  CHAT_MESSAGE = 'CHAT_MESSAGE',
  POLL_OPTION = 'POLL_OPTION',
}

/** Bounds of a rule, enforced by `validateAutoModRule`. */
export const AUTOMOD_LIMITS = {
  keywords: 100,
  keywordLength: 100,
  patterns: 20,
  patternLength: 500,
  /**
   * RE2 program size (instructions) of one pattern. re2js runs a DFA whose states it builds as it reads;
   * when a pattern's states do not fit its memory (`a[ab]{200}c` on a text of a and b), it falls back to
   * its NFA, whose work per character grows with the program. Measured on 40,000 characters of a and b:
   * `a[ab]{200}c` (204 instructions) 0.2–0.3 s, `a[ab]{900}c` (904) 0.5 s: this bounds that case.
   * Realistic patterns are 10–100 instructions and stay on the DFA (about 5 ns per character).
   */
  patternProgramSize: 1000,
  linkDomains: 50,
  /** Longest domain name (RFC 1035); longer hosts in a text are not links a browser follows. */
  domainLength: 253,
  maxMentions: 100,
  repeatedTextCount: 100,
  rateCount: 1000,
  /** Longest `rate` or `repeatedText` window: a day. */
  windowSeconds: 86_400,
  /** Highest author age bound: ten years. */
  authorHours: 87_600,
  /** Shortest MUTE: a minute. */
  minMuteSeconds: 60,
  /** Longest MUTE: 30 days. */
  maxMuteSeconds: 30 * 86_400,
} as const;

/**
 * A rule's conditions as stored (JSON in the database). A rule matches when EVERY condition it sets holds
 * (AND); unset conditions are ignored; a rule must set at least one condition.
 */
export interface AutoModConditions {
  /**
   * Text contains any of these keywords/phrases: case-insensitive, Unicode NFKC-normalized, matched on word
   * boundaries (so "ass" does not match "class"); a phrase may hold spaces. See `normalizeAutoModText` and
   * `needsBoundary` for the details.
   */
  keywords?: string[];
  /** Text (in NFKC) matches any of these RE2 patterns (case-insensitive). */
  patterns?: string[];
  /**
   * Text links to any of these domains (a link's host equals the domain or is a subdomain of it; links are
   * http(s) URLs, bare `www.` hosts, and markdown/HTML links; hosts are lower-cased, IDNA/punycode not
   * required).
   */
  linkDomains?: string[];
  /**
   * Text mentions more than this many distinct @handles (handles: letters, digits, underscore, 1–30 chars,
   * preceded by start or a non-word char).
   */
  maxMentions?: number;
  /**
   * The same text (normalized: NFKC, lower-case, whitespace collapsed, trimmed) was already written by this
   * author at least `count` times within `withinSeconds` (count among `recent`, not counting the item being
   * evaluated). A write exactly `withinSeconds` old counts.
   */
  repeatedText?: { count: number; withinSeconds: number };
  /**
   * The author wrote at least `count` items within the last `withinSeconds` before this one (from
   * `recent`; one exactly `withinSeconds` old counts).
   */
  rate?: { count: number; withinSeconds: number };
  /** Author conditions: each set bound must hold ("new and low" authors). */
  author?: {
    /** Account younger than this many hours. */
    accountAgeHoursBelow?: number;
    /** Member of the community for less than this many hours (an author who is not a member holds it). */
    membershipAgeHoursBelow?: number;
    /** Reputation level strictly below. */
    levelBelow?: number;
    /** Reputation in the community strictly below. */
    reputationBelow?: number;
  };
  /** Which kinds of writes the rule applies to (default: all). */
  subjects?: AutoModSubject[];
}

export interface AutoModRuleData {
  id: number;
  name: string;
  conditions: AutoModConditions;
  action: AutoModAction;
  /** MUTE only: seconds. */
  durationSeconds?: number | null;
  enabled: boolean;
}

export interface AutoModInput {
  subject: AutoModSubject;
  text: string;
  now: Date;
  author: {
    accountCreatedAt: Date;
    joinedAt: Date | null;
    level: number;
    reputation: number;
    /** moderators and above are exempt: the engine returns no match */
    exempt: boolean;
  };
  /**
   * The author's recent writes in this community (any kind), newest first, at most the longest window any
   * rule uses (see `lookbackSeconds`).
   */
  recent: { text: string; at: Date }[];
}

export interface AutoModMatch {
  ruleId: number;
  name: string;
  action: AutoModAction;
  durationSeconds: number | null;
  /**
   * human-readable: which condition matched and on what (e.g. 'keyword "buy now"', 'link to spam.example',
   * '7 mentions'), for the audit log and the BLOCK error; in the order of the conditions.
   */
  reasons: string[];
}

export interface CompiledAutoMod {
  /** Rules in their given order. */
  readonly size: number;
  /** The longest `rate`/`repeatedText` window in seconds (0: the service need not read `recent`). */
  readonly lookbackSeconds: number;
  /**
   * Whether any rule looks at author conditions (the service may skip reading them; `exempt` is always
   * read: it decides before any rule).
   */
  readonly needsAuthor: boolean;
  /**
   * Every rule that matches, in rule order. Cheap conditions (subjects, author, mention count, rate) are
   * checked before text regexes.
   */
  evaluate(input: AutoModInput): AutoModMatch[];
}

// ---------------------------------------------------------------------------------------------------
// Text normalization

/** Format characters (zero-width spaces and joiners, soft hyphens, bidi controls): dropped, so "b\u200Buy" is "buy". */
const FORMAT_CHARS = /\p{Cf}/gu;
/**
 * White space and control characters (\p{Cc}): one space, so that a phrase matches across line breaks and
 * runs of spaces. Written to match only what changes (a run of two or more, or one that is not a space):
 * replacing every single space by itself made this the costliest step of normalizing a text.
 */
const SPACES = /[\s\p{Cc}]{2,}|[^\S ]|\p{Cc}/gu;

/**
 * The form keywords and texts are compared in: Unicode NFKC (composed and decomposed accents, full-width
 * and ligature forms become one), lower-case, format characters dropped, white space and control
 * characters collapsed to one space. Not trimmed: keywords and repeated texts trim on top of it.
 */
export function normalizeAutoModText(text: string): string {
  return foldCase(text.normalize('NFKC'));
}

/** `normalizeAutoModText` of a string already in NFKC. */
function foldCase(nfkc: string): string {
  return nfkc.toLowerCase().replace(FORMAT_CHARS, '').replace(SPACES, ' ');
}

/** A keyword as stored and matched: normalized (`normalizeAutoModText`) and trimmed. */
export function normalizeKeyword(keyword: string): string {
  return normalizeAutoModText(keyword).trim();
}

/** Letters, combining marks, digits and underscore: what a keyword's word boundaries separate. */
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 0;

function isWordCodePoint(cp: number): boolean {
  return cp < 128 ? ASCII_WORD[cp] === 1 : WORD_CHAR.test(String.fromCodePoint(cp));
}

/** The code point that ends just before UTF-16 index `i` (> 0) of `s`: a surrogate pair read whole. */
function codePointBefore(s: string, i: number): number {
  const unit = s.charCodeAt(i - 1);
  const high = i >= 2 ? s.charCodeAt(i - 2) : 0;
  const pair = unit >= 0xdc00 && unit <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
  return pair ? (high - 0xd800) * 0x400 + (unit - 0xdc00) + 0x10000 : unit;
}

/** Whether the code point that ends just before UTF-16 index `i` of `s` is a word character. */
function wordBefore(s: string, i: number): boolean {
  return i > 0 && isWordCodePoint(codePointBefore(s, i));
}

/** Whether the code point that starts at UTF-16 index `i` of `s` is a word character. */
function wordAt(s: string, i: number): boolean {
  return i < s.length && isWordCodePoint(s.codePointAt(i) ?? 0);
}

/**
 * Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar): a keyword
 * that starts (ends) with one of their letters needs no word boundary on that side, or "广告" would never
 * match inside a sentence (its neighbours are letters too).
 */
const UNSPACED_SCRIPT =
  /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;

// ---------------------------------------------------------------------------------------------------
// Keywords: one Aho-Corasick automaton for all rules

/** A distinct keyword of a compiled rule set, and where it needs a word boundary. */
interface KeywordEntry {
  text: string;
  needLeft: boolean;
  needRight: boolean;
}

/**
 * A keyword needs a word boundary on a side where it ends with a word character, so that "ass" does not
 * match "class": not where it ends with another character ("$$$" matches "a$$$", "🍆" matches "nice🍆"),
 * nor with a letter of a script written without spaces.
 */
function needsBoundary(cp: number): boolean {
  return isWordCodePoint(cp) && !UNSPACED_SCRIPT.test(String.fromCodePoint(cp));
}

function keywordEntry(text: string): KeywordEntry {
  const first = text.codePointAt(0) ?? 0;
  return { text, needLeft: needsBoundary(first), needRight: needsBoundary(codePointBefore(text, text.length)) };
}

/**
 * Finds every keyword of every rule in one pass over the normalized text, in time linear in its length.
 *
 * Not on RE2, though keywords are what RE2 alternations are for, because re2js's DFA does not hold a few
 * thousand keywords: measured with 50 rules of 50–100 keywords, a 40,000-character text made of keyword
 * prefixes took 1 to 2.7 s (its DFA ran out of memory and fell back to the NFA, whose work per character
 * grows with the number of keywords), and an `RE2Set` of one pattern per keyword took over 2 s. An
 * Aho-Corasick automaton does the same work for any text: one transition per character (amortized), plus
 * a boundary check where a keyword ends. Word boundaries are checked in code, on Unicode letters, marks
 * and digits (RE2's `\b` knows ASCII only).
 *
 * The trie is kept in flat typed arrays: the children of node n are `childNode[childStart[n] …
 * childStart[n+1]]`, sorted by their UTF-16 unit (`childUnit`), found by binary search.
 */
class KeywordAutomaton {
  private readonly childStart: Int32Array;
  private readonly childUnit: Uint16Array;
  private readonly childNode: Int32Array;
  private readonly fail: Int32Array;
  /** The keyword that ends at a node, or -1. */
  private readonly keywordAt: Int32Array;
  /** The nearest node on the fail chain (not the node itself) where a keyword ends, or -1. */
  private readonly outLink: Int32Array;
  /** The root's children by ASCII unit (-1: none): the scan is back at the root after every space. */
  private readonly rootAscii: Int32Array;

  constructor(readonly keywords: readonly KeywordEntry[]) {
    // The trie is built from the keywords in code-unit order: each shares with the one before it the nodes
    // of their common prefix, and the children of a node come in increasing unit order, so the flat arrays
    // fill without a map of edges or a sort (a map keyed by node and unit took 0.5 s for 5,000 keywords of
    // 100 characters).
    const sorted = keywords.map((_, i) => i).sort((a, b) => (keywords[a].text < keywords[b].text ? -1 : 1));
    const parent: number[] = [0];
    const unit: number[] = [0];
    const keywordAt: number[] = [-1];
    const path: number[] = [0]; // path[d]: the node of the previous keyword's prefix of length d
    let previous = '';
    for (const index of sorted) {
      const text = keywords[index].text;
      let common = 0;
      while (common < text.length && common < previous.length && text[common] === previous[common]) common++;
      for (let d = common; d < text.length; d++) {
        path[d + 1] = parent.length;
        parent.push(path[d]);
        unit.push(text.charCodeAt(d));
        keywordAt.push(-1);
      }
      keywordAt[path[text.length]] = index;
      previous = text;
    }
    const count = parent.length;
    this.childStart = new Int32Array(count + 1);
    for (let c = 1; c < count; c++) this.childStart[parent[c] + 1]++;
    for (let n = 0; n < count; n++) this.childStart[n + 1] += this.childStart[n];
    this.childNode = new Int32Array(Math.max(count - 1, 0));
    this.childUnit = new Uint16Array(Math.max(count - 1, 0));
    const cursor = this.childStart.slice(0, count);
    for (let c = 1; c < count; c++) {
      const k = cursor[parent[c]]++;
      this.childNode[k] = c;
      this.childUnit[k] = unit[c];
    }
    this.keywordAt = Int32Array.from(keywordAt);
    this.rootAscii = new Int32Array(128).fill(-1);
    for (let u = 0; u < 128; u++) this.rootAscii[u] = this.step(0, u);
    this.fail = new Int32Array(count);
    this.outLink = new Int32Array(count).fill(-1);
    // Breadth first, so that a node's fail link (a shallower node) is set before the node's children need it.
    const queue: number[] = [0];
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q];
      for (let k = this.childStart[node]; k < this.childStart[node + 1]; k++) {
        const child = this.childNode[k];
        queue.push(child);
        if (node === 0) continue; // depth 1: fails to the root
        let f = this.fail[node];
        let next = this.step(f, this.childUnit[k]);
        while (next < 0 && f !== 0) {
          f = this.fail[f];
          next = this.step(f, this.childUnit[k]);
        }
        const target = next < 0 ? 0 : next;
        this.fail[child] = target;
        this.outLink[child] = this.keywordAt[target] >= 0 ? target : this.outLink[target];
      }
    }
  }

  /** The child of `node` by UTF-16 unit `u`, or -1. */
  private step(node: number, u: number): number {
    let lo = this.childStart[node];
    let hi = this.childStart[node + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.childUnit[mid];
      if (m === u) return this.childNode[mid];
      if (m < u) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** Flags (1) in `found`, by keyword index, the keywords that occur in `text` on their word boundaries. */
  scan(text: string, found: Uint8Array): void {
    const { keywordAt, outLink, fail, keywords, rootAscii } = this;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      let next = node === 0 ? -1 : this.step(node, u);
      while (next < 0 && node !== 0) {
        node = fail[node];
        if (node !== 0) next = this.step(node, u);
      }
      if (node === 0) next = u < 128 ? rootAscii[u] : this.step(0, u);
      node = next < 0 ? 0 : next;
      if (keywordAt[node] < 0 && outLink[node] < 0) continue;
      for (let o = keywordAt[node] >= 0 ? node : outLink[node]; o >= 0; o = outLink[o]) {
        const k = keywordAt[o];
        if (found[k] === 1) continue;
        const entry = keywords[k];
        const end = i + 1;
        if (entry.needLeft && wordBefore(text, end - entry.text.length)) continue;
        if (entry.needRight && wordAt(text, end)) continue;
        found[k] = 1;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Mentions and links: fixed JS expressions that start with a literal (so V8 skips to its occurrences),
// followed by one run of a character class, read whole: no backtracking. They read the normalized text,
// where case is folded and format characters are gone ("@b\u200Bob" mentions @bob).

/** `@` and a run of handle characters; the run must be 1–30 long and no word character precede the `@`. */
const MENTION = /@([a-z0-9_]+)/g;
const HANDLE_MAX = 30;

/** Distinct @handles (lower-case) that a normalized text (`normalizeAutoModText`) mentions. */
function handlesIn(text: string): Set<string> {
  const handles = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    if (m[1].length <= HANDLE_MAX && !wordBefore(text, m.index)) handles.add(m[1]);
  }
  return handles;
}

function mentionsIn(text: string): number {
  return handlesIn(text).size;
}

/** The distinct @handles `text` mentions, lower-case (as `countMentions` counts them). */
export function mentionedHandles(text: string): string[] {
  return [...handlesIn(normalizeAutoModText(text))];
}

/** Distinct @handles (case-insensitive, full-width ＠ included) that `text` mentions. */
export function countMentions(text: string): number {
  return mentionsIn(normalizeAutoModText(text));
}

/**
 * The start of a link and its authority: `http(s)://`, a protocol-relative `//` in a Markdown link target
 * or an HTML `href`/`src`, or a bare `www.` (that `hostsIn` checks no word, dot, `@`, `/` or dash
 * precedes). The authority is the run up to white space, a path, query or fragment, or a character that
 * closes a Markdown or HTML link. (A first version that checked the character before `www.` with a
 * lookbehind made V8 try the expression at every position: five times slower.)
 */
const LINK = /(?:https?:\/\/|\]\(\s*\/\/|(?:href|src)\s*=\s*["']?\/\/|www\.)([^\s/\\?#<>"'`()[\]{}|^]*)/g;
const HOST_CHARS = /^[\p{L}\p{M}\p{N}_.-]+/u;
/** Dots that browsers (IDNA) read as dots: ideographic and half-width (NFKC made the full-width one a dot). */
const ODD_DOTS = /[\u3002\uff61]/g;

/** The host of a link's authority (userinfo and port dropped); null when it is no host name. */
function hostOf(authority: string): string | null {
  const host = HOST_CHARS.exec(authority.slice(authority.lastIndexOf('@') + 1).replace(ODD_DOTS, '.'))?.[0];
  if (!host) return null;
  let start = 0;
  let end = host.length;
  while (start < end && host[start] === '.') start++;
  while (end > start && host[end - 1] === '.') end--;
  if (end === start || end - start > AUTOMOD_LIMITS.domainLength) return null;
  return host.slice(start, end);
}

/** The distinct hosts that a normalized text (`normalizeAutoModText`) links to. */
function hostsIn(text: string): Set<string> {
  const hosts = new Set<string>();
  if (!text.includes('//') && !text.includes('www.')) return hosts;
  for (const m of text.matchAll(LINK)) {
    let authority = m[1];
    if (m[0].startsWith('www.')) {
      const before = m.index > 0 ? text[m.index - 1] : ' ';
      if (before === '.' || before === '@' || before === '/' || before === '-' || wordBefore(text, m.index)) continue;
      authority = `www.${authority}`;
    }
    const host = hostOf(authority);
    if (host) hosts.add(host);
  }
  return hosts;
}

/** The distinct hosts, lower-cased, that `text` links to. */
export function linkedHosts(text: string): Set<string> {
  return hostsIn(normalizeAutoModText(text));
}

/** Adds to `hits` each domain of `domains` that `host` equals or is a subdomain of. */
function domainsOfHost(host: string, domains: ReadonlySet<string>, hits: Set<string>): void {
  let start = 0;
  while (true) {
    const suffix = start === 0 ? host : host.slice(start);
    if (domains.has(suffix)) hits.add(suffix);
    const dot = host.indexOf('.', start);
    if (dot < 0) return;
    start = dot + 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// Validation

/** Keys of the conditions, in the order they are stored and reported. */
const CONDITION_KEYS = [
  'keywords',
  'patterns',
  'linkDomains',
  'maxMentions',
  'repeatedText',
  'rate',
  'author',
  'subjects',
] as const;
const AUTHOR_KEYS = ['accountAgeHoursBelow', 'membershipAgeHoursBelow', 'levelBelow', 'reputationBelow'] as const;
const ACTIONS = new Set<string>(Object.values(AutoModAction));
const SUBJECTS = new Set<string>(Object.values(AutoModSubject));
const LABEL = /^[\p{L}\p{M}\p{N}_](?:[\p{L}\p{M}\p{N}_-]{0,61}[\p{L}\p{M}\p{N}_])?$/u;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as a whole number from `min` to `max`, or BAD_USER_INPUT on `field`. */
function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new BadInput(`${label(field)} must be a whole number ${range}`, field);
  }
  return value;
}

/** How a field is named in messages: its path without the leading `conditions.`. */
function label(field: string): string {
  return field.startsWith('conditions.') ? field.slice('conditions.'.length) : field;
}

/** A list of strings (null or absent: empty), or BAD_USER_INPUT. */
function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadInput(`${label(field)} must be a list`, field);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw new BadInput(`${label(field)}[${i}] must be a string`, `${field}[${i}]`);
  });
  return value as string[];
}

function assertKnownKeys(value: Record<string, unknown>, known: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new BadInput(`Unknown condition "${label(`${field}.${key}`)}"`, `${field}.${key}`);
  }
}

function normalizeKeywords(value: unknown): string[] {
  const out = new Set<string>();
  stringList(value, 'conditions.keywords').forEach((raw, i) => {
    const keyword = normalizeKeyword(raw);
    if (keyword.length < 1 || keyword.length > AUTOMOD_LIMITS.keywordLength) {
      throw new BadInput(
        `keywords[${i}] must be 1 to ${AUTOMOD_LIMITS.keywordLength} characters long`,
        `conditions.keywords[${i}]`,
      );
    }
    out.add(keyword);
  });
  if (out.size > AUTOMOD_LIMITS.keywords) {
    throw new BadInput(`At most ${AUTOMOD_LIMITS.keywords} keywords per rule`, 'conditions.keywords');
  }
  return [...out];
}

/** Compiles a pattern as rules run it: case-insensitive. Throws re2js's error for an invalid one. */
function compilePattern(pattern: string): RE2JS {
  return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
}

function normalizePatterns(value: unknown): string[] {
  const out = new Set<string>();
  stringList(value, 'conditions.patterns').forEach((pattern, i) => {
    const field = `conditions.patterns[${i}]`;
    if (pattern.length < 1 || pattern.length > AUTOMOD_LIMITS.patternLength) {
      throw new BadInput(`patterns[${i}] must be 1 to ${AUTOMOD_LIMITS.patternLength} characters long`, field);
    }
    let re: RE2JS;
    try {
      re = compilePattern(pattern);
    } catch (err) {
      throw new BadInput(`patterns[${i}] is not a valid RE2 pattern: ${(err as Error).message}`, field);
    }
    const size = re.programSize();
    if (size > AUTOMOD_LIMITS.patternProgramSize) {
      throw new BadInput(
        `patterns[${i}] is too complex: its RE2 program has ${size} instructions, at most ${AUTOMOD_LIMITS.patternProgramSize}`,
        field,
      );
    }
    // `a*`, `x?` or `^` match an empty string, hence every text: surely not what the moderator meant.
    if (re.test('')) {
      throw new BadInput(`patterns[${i}] matches an empty text: it must require at least one character`, field);
    }
    out.add(pattern);
  });
  if (out.size > AUTOMOD_LIMITS.patterns) {
    throw new BadInput(`At most ${AUTOMOD_LIMITS.patterns} patterns per rule`, 'conditions.patterns');
  }
  return [...out];
}

/** A domain as stored: NFKC, trimmed, lower-case, without a final dot. */
function normalizeDomain(raw: string): string {
  const domain = raw.normalize('NFKC').trim().toLowerCase();
  return domain.endsWith('.') ? domain.slice(0, -1) : domain;
}

function normalizeDomains(value: unknown): string[] {
  const out = new Set<string>();
  stringList(value, 'conditions.linkDomains').forEach((raw, i) => {
    const field = `conditions.linkDomains[${i}]`;
    const domain = normalizeDomain(raw);
    const what = `linkDomains[${i}] ("${raw}")`;
    // Refused rather than cleaned up: a moderator who wrote a URL may have meant only that page.
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(domain) || domain.startsWith('//')) {
      throw new BadInput(`${what} must be a domain name such as "spam.example", without "https://"`, field);
    }
    if (/[/?#]/.test(domain)) {
      throw new BadInput(`${what} must be a domain name such as "spam.example", without a path`, field);
    }
    if (/:\d*$/.test(domain)) {
      throw new BadInput(`${what} must be a domain name such as "spam.example", without a port`, field);
    }
    if (domain.startsWith('*.')) {
      throw new BadInput(`${what}: write "${domain.slice(2)}", which covers its subdomains`, field);
    }
    if (
      !domain ||
      domain.length > AUTOMOD_LIMITS.domainLength ||
      !domain.split('.').every((part) => LABEL.test(part))
    ) {
      throw new BadInput(`${what} is not a valid domain name`, field);
    }
    out.add(domain);
  });
  if (out.size > AUTOMOD_LIMITS.linkDomains) {
    throw new BadInput(`At most ${AUTOMOD_LIMITS.linkDomains} link domains per rule`, 'conditions.linkDomains');
  }
  return [...out];
}

function normalizeWindow(
  value: unknown,
  field: 'conditions.repeatedText' | 'conditions.rate',
  maxCount: number,
): { count: number; withinSeconds: number } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new BadInput(`${label(field)} must be an object { count, withinSeconds }`, field);
  assertKnownKeys(value, ['count', 'withinSeconds'], field);
  return {
    count: wholeNumber(value.count, `${field}.count`, 1, maxCount),
    withinSeconds: wholeNumber(value.withinSeconds, `${field}.withinSeconds`, 1, AUTOMOD_LIMITS.windowSeconds),
  };
}

function normalizeAuthor(value: unknown): AutoModConditions['author'] {
  if (value === undefined || value === null) return undefined;
  const field = 'conditions.author';
  if (!isRecord(value)) throw new BadInput('author must be an object', field);
  assertKnownKeys(value, AUTHOR_KEYS, field);
  const out: NonNullable<AutoModConditions['author']> = {};
  for (const key of AUTHOR_KEYS) {
    if (value[key] === undefined || value[key] === null) continue;
    const hours = key === 'accountAgeHoursBelow' || key === 'membershipAgeHoursBelow';
    out[key] = wholeNumber(
      value[key],
      `${field}.${key}`,
      0,
      hours ? AUTOMOD_LIMITS.authorHours : Number.MAX_SAFE_INTEGER,
    );
  }
  return Object.keys(out).length ? out : undefined;
}

function normalizeSubjects(value: unknown): AutoModSubject[] {
  const given = new Set<string>();
  stringList(value, 'conditions.subjects').forEach((subject, i) => {
    if (!SUBJECTS.has(subject)) {
      throw new BadInput(`subjects[${i}] must be one of ${[...SUBJECTS].join(', ')}`, `conditions.subjects[${i}]`);
    }
    given.add(subject);
  });
  // In the enum's order, so that equal rules store equal JSON.
  return Object.values(AutoModSubject).filter((s) => given.has(s));
}

/**
 * Validates and normalizes a rule's conditions and action from client input: throws `BadInput` (with the
 * offending `field`, like 'conditions.patterns[2]') on anything invalid. Keywords are normalized
 * (`normalizeKeyword`) and, like patterns, domains and subjects, deduplicated in their first order; empty
 * lists, null and an author object with no bound count as unset and are left out. Refused rather than
 * ignored: unknown keys, a domain written as a URL, `durationSeconds` on anything but MUTE.
 */
export function validateAutoModRule(input: {
  conditions: AutoModConditions;
  action: AutoModAction;
  durationSeconds?: number | null;
}): { conditions: AutoModConditions; durationSeconds: number | null } {
  const raw: unknown = input.conditions;
  if (!isRecord(raw)) throw new BadInput('conditions must be an object', 'conditions');
  assertKnownKeys(raw, CONDITION_KEYS, 'conditions');
  const conditions: AutoModConditions = {};
  const keywords = normalizeKeywords(raw.keywords);
  if (keywords.length) conditions.keywords = keywords;
  const patterns = normalizePatterns(raw.patterns);
  if (patterns.length) conditions.patterns = patterns;
  const linkDomains = normalizeDomains(raw.linkDomains);
  if (linkDomains.length) conditions.linkDomains = linkDomains;
  if (raw.maxMentions !== undefined && raw.maxMentions !== null) {
    conditions.maxMentions = wholeNumber(raw.maxMentions, 'conditions.maxMentions', 0, AUTOMOD_LIMITS.maxMentions);
  }
  const repeatedText = normalizeWindow(raw.repeatedText, 'conditions.repeatedText', AUTOMOD_LIMITS.repeatedTextCount);
  if (repeatedText) conditions.repeatedText = repeatedText;
  const rate = normalizeWindow(raw.rate, 'conditions.rate', AUTOMOD_LIMITS.rateCount);
  if (rate) conditions.rate = rate;
  const author = normalizeAuthor(raw.author);
  if (author) conditions.author = author;
  if (!Object.keys(conditions).length) {
    throw new BadInput('A rule needs at least one condition besides subjects', 'conditions');
  }
  const subjects = normalizeSubjects(raw.subjects);
  if (subjects.length) conditions.subjects = subjects;

  const action: unknown = input.action;
  if (typeof action !== 'string' || !ACTIONS.has(action)) {
    throw new BadInput(`action must be one of ${[...ACTIONS].join(', ')}`, 'action');
  }
  const duration = input.durationSeconds;
  if (action === AutoModAction.MUTE) {
    if (duration === undefined || duration === null) {
      throw new BadInput(
        `A MUTE needs durationSeconds (${AUTOMOD_LIMITS.minMuteSeconds} to ${AUTOMOD_LIMITS.maxMuteSeconds})`,
        'durationSeconds',
      );
    }
    return {
      conditions,
      durationSeconds: wholeNumber(
        duration,
        'durationSeconds',
        AUTOMOD_LIMITS.minMuteSeconds,
        AUTOMOD_LIMITS.maxMuteSeconds,
      ),
    };
  }
  if (duration !== undefined && duration !== null) {
    throw new BadInput(`durationSeconds is for MUTE only, not ${action}`, 'durationSeconds');
  }
  return { conditions, durationSeconds: null };
}

// ---------------------------------------------------------------------------------------------------
// Compilation and evaluation

interface CompiledPattern {
  source: string;
  /**
   * Its index among the rule set's distinct patterns; -1 for a stored pattern that no longer compiles: it
   * never matches (the rule is not widened).
   */
  id: number;
}

interface CompiledRule {
  id: number;
  name: string;
  action: AutoModAction;
  durationSeconds: number | null;
  subjects: ReadonlySet<AutoModSubject> | null;
  author: NonNullable<AutoModConditions['author']> | null;
  rate: { count: number; withinSeconds: number } | null;
  repeatedText: { count: number; withinSeconds: number } | null;
  maxMentions: number | null;
  domains: readonly string[] | null;
  /** The rule's keywords (normalized) and their indexes in the automaton, in the same order. */
  keywords: readonly string[] | null;
  keywordIds: readonly number[];
  patterns: readonly CompiledPattern[] | null;
}

/**
 * Program size (instructions) of one `RE2Set`: the distinct patterns of all rules run as one program per
 * this many instructions. One set reads the text once for all its patterns and tells which matched
 * (measured: 13 patterns on 500 characters, 4 µs against 62 µs for 13 separate tests). Bounded because
 * a set's DFA states are built as the text needs them and, if they outgrow its memory, it falls back to
 * an NFA whose work per character grows with the program: smaller sets keep that case in check.
 */
const PATTERN_SET_SIZE = 2000;

/** Distinct patterns run together: `set` answers local indexes, `ids` maps them to the rule set's. */
interface PatternGroup {
  set: RE2Set;
  ids: number[];
}

/** Groups compiled patterns into sets of at most PATTERN_SET_SIZE instructions (a larger pattern alone). */
function patternGroups(patterns: readonly { source: string; size: number }[]): PatternGroup[] {
  const groups: PatternGroup[] = [];
  let group: PatternGroup | null = null;
  let size = 0;
  patterns.forEach((pattern, id) => {
    if (!group || size + pattern.size > PATTERN_SET_SIZE) {
      group = { set: new RE2Set(RE2Set.UNANCHORED, RE2JS.CASE_INSENSITIVE), ids: [] };
      groups.push(group);
      size = 0;
    }
    try {
      group.set.add(pattern.source);
    } catch {
      return; // compiled alone, so never expected: the pattern then never matches
    }
    group.ids.push(id);
    size += pattern.size;
  });
  // A set that does not compile (never expected: its patterns compiled alone) is left out: they never match.
  return groups.filter((g) => {
    try {
      g.set.compile();
      return g.ids.length > 0;
    } catch {
      return false;
    }
  });
}

const ACTION_RANK: Record<AutoModAction, number> = {
  [AutoModAction.BLOCK]: 4,
  [AutoModAction.MUTE]: 3,
  [AutoModAction.HOLD]: 2,
  [AutoModAction.REPORT]: 1,
};

/** The strongest of the matches: BLOCK > MUTE > HOLD > REPORT (ties: first in rule order); null for none. */
export function strongestMatch(matches: readonly AutoModMatch[]): AutoModMatch | null {
  let best: AutoModMatch | null = null;
  for (const match of matches) if (!best || ACTION_RANK[match.action] > ACTION_RANK[best.action]) best = match;
  return best;
}

/** "60 s", "5 min", "2 h": a window as moderators wrote it. */
function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** An age, rounded down: "12 min", "5 h", "3 days". */
function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / 1440)} days`;
}

/** 'keyword "a"', 'keywords "a", "b"': at most five named. */
function listReason(singular: string, plural: string, items: readonly string[], quote: boolean): string {
  const shown = items.slice(0, 5).map((item) => (quote ? `"${item}"` : item));
  const more = items.length > 5 ? ` and ${items.length - 5} more` : '';
  return `${items.length === 1 ? singular : plural} ${shown.join(', ')}${more}`;
}

/**
 * What one evaluation computes at most once, and only when a rule gets that far: the text's forms, its
 * keywords, patterns, links and mentions, the normalized recent texts.
 */
class Evaluation {
  private nfkcText: string | undefined;
  private foldedText: string | undefined;
  private keywordHits: Uint8Array | undefined;
  private patternHits: Uint8Array | undefined;
  private mentions = -1;
  private domains: Set<string> | undefined;
  private repeatText: string | undefined;
  private readonly recentTexts: (string | undefined)[] = [];

  constructor(
    readonly input: AutoModInput,
    private readonly rules: AutoModRuleSet,
  ) {}

  /** The text in NFKC: what patterns read (case is left to them). */
  private nfkc(): string {
    return (this.nfkcText ??= this.input.text.normalize('NFKC'));
  }

  private folded(): string {
    return (this.foldedText ??= foldCase(this.nfkc()));
  }

  /** Flags by keyword index: the keywords of all rules that the text holds. */
  keywordsFound(): Uint8Array {
    if (!this.keywordHits) {
      const automaton = this.rules.keywords;
      this.keywordHits = new Uint8Array(automaton?.keywords.length ?? 0);
      automaton?.scan(this.folded(), this.keywordHits);
    }
    return this.keywordHits;
  }

  /** Flags by pattern index: the patterns of all rules that match the text. */
  patternsFound(): Uint8Array {
    if (!this.patternHits) {
      this.patternHits = new Uint8Array(this.rules.patternCount);
      const text = this.nfkc();
      for (const group of this.rules.patterns) {
        for (const k of group.set.match(text)) this.patternHits[group.ids[k]] = 1;
      }
    }
    return this.patternHits;
  }

  mentionCount(): number {
    if (this.mentions < 0) this.mentions = this.folded().includes('@') ? mentionsIn(this.folded()) : 0;
    return this.mentions;
  }

  /** The rules' domains that the text links to (a host equal to one or under it). */
  linkedDomains(): Set<string> {
    if (!this.domains) {
      this.domains = new Set();
      for (const host of hostsIn(this.folded())) domainsOfHost(host, this.rules.domains, this.domains);
    }
    return this.domains;
  }

  /** Recent writes (the same text only, when `same`) at or after `now − withinSeconds`: one exactly that old counts. */
  countRecent(withinSeconds: number, same: boolean): number {
    const since = this.input.now.getTime() - withinSeconds * 1000;
    let count = 0;
    this.input.recent.forEach((item, i) => {
      if (item.at.getTime() < since) return;
      if (same && this.recentText(i) !== this.repeatedText()) return;
      count++;
    });
    return count;
  }

  private repeatedText(): string {
    return (this.repeatText ??= this.folded().trim());
  }

  private recentText(i: number): string {
    return (this.recentTexts[i] ??= normalizeAutoModText(this.input.recent[i].text).trim());
  }
}

/** The reasons the author conditions hold, or null when one does not. */
function authorReasons(bounds: NonNullable<AutoModConditions['author']>, input: AutoModInput): string[] | null {
  const { author, now } = input;
  const reasons: string[] = [];
  if (bounds.accountAgeHoursBelow !== undefined) {
    const age = now.getTime() - author.accountCreatedAt.getTime();
    if (age >= bounds.accountAgeHoursBelow * 3_600_000) return null;
    reasons.push(`account ${formatAge(age)} old`);
  }
  if (bounds.membershipAgeHoursBelow !== undefined) {
    if (author.joinedAt) {
      const age = now.getTime() - author.joinedAt.getTime();
      if (age >= bounds.membershipAgeHoursBelow * 3_600_000) return null;
      reasons.push(`member for ${formatAge(age)}`);
    } else {
      reasons.push('not a member');
    }
  }
  if (bounds.levelBelow !== undefined) {
    if (author.level >= bounds.levelBelow) return null;
    reasons.push(`level ${author.level}`);
  }
  if (bounds.reputationBelow !== undefined) {
    if (author.reputation >= bounds.reputationBelow) return null;
    reasons.push(`reputation ${author.reputation}`);
  }
  return reasons;
}

/** The reasons `rule` matches (in the order of the conditions), or null: cheapest conditions first. */
function check(rule: CompiledRule, ev: Evaluation): string[] | null {
  const input = ev.input;
  if (rule.subjects && !rule.subjects.has(input.subject)) return null;
  let author: string[] | null = null;
  if (rule.author && !(author = authorReasons(rule.author, input))) return null;
  let rate: string | null = null;
  if (rule.rate) {
    const count = ev.countRecent(rule.rate.withinSeconds, false);
    if (count < rule.rate.count) return null;
    rate = `${count} earlier writes within ${formatSeconds(rule.rate.withinSeconds)}`;
  }
  let mentions: string | null = null;
  if (rule.maxMentions !== null) {
    const count = ev.mentionCount();
    if (count <= rule.maxMentions) return null;
    mentions = `${count} mentions`;
  }
  let repeated: string | null = null;
  if (rule.repeatedText) {
    const count = ev.countRecent(rule.repeatedText.withinSeconds, true);
    if (count < rule.repeatedText.count) return null;
    repeated = `same text ${count} times within ${formatSeconds(rule.repeatedText.withinSeconds)}`;
  }
  let links: string | null = null;
  if (rule.domains) {
    const linked = ev.linkedDomains();
    const hits = linked.size ? rule.domains.filter((d) => linked.has(d)) : [];
    if (!hits.length) return null;
    links = listReason('link to', 'links to', hits, false);
  }
  let keywords: string | null = null;
  if (rule.keywords) {
    const found = ev.keywordsFound();
    const ids = rule.keywordIds;
    const hits = rule.keywords.filter((_, i) => found[ids[i]] === 1);
    if (!hits.length) return null;
    keywords = listReason('keyword', 'keywords', hits, true);
  }
  let pattern: string | null = null;
  if (rule.patterns) {
    const found = ev.patternsFound();
    const hit = rule.patterns.find((p) => p.id >= 0 && found[p.id] === 1);
    if (!hit) return null;
    pattern = `pattern "${hit.source}"`;
  }
  return [keywords, pattern, links, mentions, repeated, rate, ...(author ?? [])].filter(
    (reason): reason is string => reason !== null,
  );
}

class AutoModRuleSet implements CompiledAutoMod {
  readonly size: number;
  readonly lookbackSeconds: number;
  readonly needsAuthor: boolean;
  /** Every rule's keywords, or null when no rule has any. */
  readonly keywords: KeywordAutomaton | null;
  /** Every rule's distinct patterns, in sets. */
  readonly patterns: readonly PatternGroup[];
  readonly patternCount: number;
  /** Every rule's link domains. */
  readonly domains: ReadonlySet<string>;

  constructor(
    private readonly rules: readonly CompiledRule[],
    keywords: readonly KeywordEntry[],
    patterns: readonly { source: string; size: number }[],
  ) {
    this.size = rules.length;
    this.lookbackSeconds = Math.max(
      0,
      ...rules.map((r) => Math.max(r.rate?.withinSeconds ?? 0, r.repeatedText?.withinSeconds ?? 0)),
    );
    this.needsAuthor = rules.some((r) => r.author !== null);
    this.keywords = keywords.length ? new KeywordAutomaton(keywords) : null;
    this.patterns = patternGroups(patterns);
    this.patternCount = patterns.length;
    this.domains = new Set(rules.flatMap((r) => r.domains ?? []));
  }

  evaluate(input: AutoModInput): AutoModMatch[] {
    if (input.author.exempt || !this.rules.length) return [];
    const evaluation = new Evaluation(input, this);
    const matches: AutoModMatch[] = [];
    for (const rule of this.rules) {
      const reasons = check(rule, evaluation);
      if (reasons) {
        const { id: ruleId, name, action, durationSeconds } = rule;
        matches.push({ ruleId, name, action, durationSeconds, reasons });
      }
    }
    return matches;
  }
}

function storedWindow(value: unknown): { count: number; withinSeconds: number } | null {
  if (!isRecord(value) || typeof value.count !== 'number' || typeof value.withinSeconds !== 'number') return null;
  return { count: value.count, withinSeconds: value.withinSeconds };
}

function storedList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Compiles the enabled rules once, in their order: the keywords of all rules into one automaton, their
 * distinct patterns into as few RE2 sets as PATTERN_SET_SIZE allows, their domains into a Set. Stored
 * rules were validated when written, so this is lenient rather than strict: keywords are normalized again
 * (cheap, and rules stored by an earlier version match as they would today), a pattern that no longer
 * compiles never matches, and a rule left with no condition is dropped rather than matching every write.
 */
export function compileAutoMod(rules: readonly AutoModRuleData[]): CompiledAutoMod {
  const compiled: CompiledRule[] = [];
  const keywordIds = new Map<string, number>();
  const keywords: KeywordEntry[] = [];
  const patternIds = new Map<string, number>();
  const patterns: { source: string; size: number }[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const c: Record<string, unknown> = isRecord(rule.conditions) ? rule.conditions : {};
    const ruleKeywords = [...new Set(storedList(c.keywords).map(normalizeKeyword))].filter(Boolean);
    const rulePatterns = [...new Set(storedList(c.patterns))].map((source): CompiledPattern => {
      let id = patternIds.get(source);
      if (id === undefined) {
        try {
          id = patterns.push({ source, size: compilePattern(source).programSize() }) - 1;
        } catch {
          id = -1;
        }
        patternIds.set(source, id);
      }
      return { source, id };
    });
    const domains = [...new Set(storedList(c.linkDomains).map(normalizeDomain))].filter(Boolean);
    const bounds = isRecord(c.author) ? c.author : {};
    const author: NonNullable<AutoModConditions['author']> = {};
    for (const key of AUTHOR_KEYS) if (typeof bounds[key] === 'number') author[key] = bounds[key];
    const subjects = storedList(c.subjects).filter((s): s is AutoModSubject => SUBJECTS.has(s));
    const entry: CompiledRule = {
      id: rule.id,
      name: rule.name,
      action: rule.action,
      durationSeconds: rule.action === AutoModAction.MUTE ? (rule.durationSeconds ?? null) : null,
      subjects: subjects.length ? new Set(subjects) : null,
      author: Object.keys(author).length ? author : null,
      rate: storedWindow(c.rate),
      repeatedText: storedWindow(c.repeatedText),
      maxMentions: typeof c.maxMentions === 'number' ? c.maxMentions : null,
      domains: domains.length ? domains : null,
      keywords: ruleKeywords.length ? ruleKeywords : null,
      keywordIds: ruleKeywords.map((keyword) => {
        let id = keywordIds.get(keyword);
        if (id === undefined) {
          id = keywords.push(keywordEntry(keyword)) - 1;
          keywordIds.set(keyword, id);
        }
        return id;
      }),
      patterns: rulePatterns.length ? rulePatterns : null,
    };
    const hasCondition =
      entry.keywords ||
      entry.patterns ||
      entry.domains ||
      entry.maxMentions !== null ||
      entry.repeatedText ||
      entry.rate ||
      entry.author;
    if (hasCondition) compiled.push(entry);
  }
  return new AutoModRuleSet(compiled, keywords, patterns);
}
