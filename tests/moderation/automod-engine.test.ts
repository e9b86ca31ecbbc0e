/**
 * AutoMod's engine (src/modules/moderation/automod-engine.ts), pure: each condition alone matching and not
 * matching, AND across conditions, the subjects filter, exempt authors, keywords on Unicode word
 * boundaries, RE2 patterns (linear on hostile input), link domains, distinct mentions, the `recent`
 * windows of repeatedText and rate at their boundaries, strongestMatch, and validation with its limits,
 * messages and fields.
 */
import { RE2JS } from 're2js';
import { BadInput } from '../../src/platform/errors';
import {
  AUTOMOD_LIMITS,
  AutoModAction,
  AutoModSubject,
  compileAutoMod,
  countMentions,
  linkedHosts,
  normalizeKeyword,
  strongestMatch,
  validateAutoModRule,
  type AutoModConditions,
  type AutoModInput,
  type AutoModMatch,
  type AutoModRuleData,
} from '../../src/modules/moderation/automod-engine';

const NOW = new Date('2025-06-01T12:00:00Z');
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000);
const hoursAgo = (h: number) => secondsAgo(h * 3600);

/** An input by an established, non-exempt member, with no recent writes; `over` replaces parts of it. */
function input(
  text: string,
  over: Partial<Omit<AutoModInput, 'author'>> & { author?: Partial<AutoModInput['author']> } = {},
) {
  const author = {
    accountCreatedAt: hoursAgo(24 * 365),
    joinedAt: hoursAgo(24 * 100),
    level: 5,
    reputation: 500,
    exempt: false,
    ...over.author,
  };
  return { subject: AutoModSubject.COMMENT, text, now: NOW, recent: [], ...over, author } satisfies AutoModInput;
}

let nextId = 1;
function rule(conditions: AutoModConditions, over: Partial<AutoModRuleData> = {}): AutoModRuleData {
  const id = nextId++;
  return { id, name: `rule ${id}`, conditions, action: AutoModAction.HOLD, enabled: true, ...over };
}

/** The reasons a single rule with these conditions gives for `text`, or null when it does not match. */
function reasons(conditions: AutoModConditions, text: string, over: Parameters<typeof input>[1] = {}) {
  const matches = compileAutoMod([rule(conditions)]).evaluate(input(text, over));
  return matches.length ? matches[0].reasons : null;
}

/** The message of the BadInput that validating `rule` throws, after checking its field. */
function refusal(
  conditions: unknown,
  field: string,
  action: AutoModAction = AutoModAction.HOLD,
  durationSeconds?: number | null,
): string {
  try {
    validateAutoModRule({ conditions: conditions as AutoModConditions, action, durationSeconds });
  } catch (error) {
    expect(error).toBeInstanceOf(BadInput);
    expect((error as BadInput).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    return (error as BadInput).message;
  }
  throw new Error(`accepted ${JSON.stringify(conditions)}`);
}

describe('AutoMod keywords', () => {
  it('match whole words, case-insensitively and after NFKC', () => {
    expect(reasons({ keywords: ['Buy Now'] }, 'Please BUY NOW!')).toEqual(['keyword "buy now"']);
    expect(reasons({ keywords: ['buy now'] }, 'ｂｕｙ　ｎｏｗ')).toEqual(['keyword "buy now"']); // full-width
    expect(reasons({ keywords: ['ass'] }, 'a first-class pass')).toBeNull();
    expect(reasons({ keywords: ['ass'] }, 'what an ass.')).toEqual(['keyword "ass"']);
    expect(reasons({ keywords: ['ass'] }, 'ass')).toEqual(['keyword "ass"']);
    expect(reasons({ keywords: ['spam'] }, 'spam_bot and spam2')).toBeNull(); // _ and digits are word characters
  });

  it('hold word boundaries for non-ASCII letters and marks', () => {
    expect(reasons({ keywords: ['café'] }, 'Un Café!')).toEqual(['keyword "café"']);
    expect(reasons({ keywords: ['café'] }, 'les cafés')).toBeNull();
    expect(reasons({ keywords: ['café'] }, 'CAFE\u0301 noir')).toEqual(['keyword "café"']); // decomposed
    expect(reasons({ keywords: ['cafe'] }, 'un café')).toBeNull();
    expect(reasons({ keywords: ['über'] }, 'Überall')).toBeNull();
    expect(reasons({ keywords: ['дурак'] }, 'Ты ДУРАК?')).toEqual(['keyword "дурак"']);
    expect(reasons({ keywords: ['кот'] }, 'котлета')).toBeNull();
    // Devanagari vowel signs are marks: "कम" is not a word of "कमी".
    expect(reasons({ keywords: ['कम'] }, 'यह कमी है')).toBeNull();
    expect(reasons({ keywords: ['कम'] }, 'यह कम है')).toEqual(['keyword "कम"']);
  });

  it('match inside sentences of scripts written without spaces', () => {
    expect(reasons({ keywords: ['广告'] }, '这是广告吗')).toEqual(['keyword "广告"']);
    expect(reasons({ keywords: ['スパム'] }, 'これはスパムです')).toEqual(['keyword "スパム"']);
    expect(reasons({ keywords: ['广告'] }, '这是告广吗')).toBeNull();
  });

  it('match phrases across any white space, and see through invisible characters', () => {
    expect(reasons({ keywords: ['free  money'] }, 'get FREE\n\n  money now')).toEqual(['keyword "free money"']);
    expect(reasons({ keywords: ['buy now'] }, 'b\u200Buy\u00ADnow? no: b\u200Buy now')).toEqual(['keyword "buy now"']);
    expect(reasons({ keywords: ['free money'] }, 'free moneybags')).toBeNull();
  });

  it('take regular expression metacharacters literally, with boundaries only beside word characters', () => {
    expect(reasons({ keywords: ['a.b'] }, 'see a.b here')).toEqual(['keyword "a.b"']);
    expect(reasons({ keywords: ['a.b'] }, 'see axb here')).toBeNull();
    expect(reasons({ keywords: ['c++'] }, 'I love C++, really')).toEqual(['keyword "c++"']);
    expect(reasons({ keywords: ['(free)'] }, 'it is (FREE)')).toEqual(['keyword "(free)"']);
    expect(reasons({ keywords: ['$$$'] }, 'make $$$ fast')).toEqual(['keyword "$$$"']);
    // Boundaries hold where the keyword ends with a word character only.
    expect(reasons({ keywords: ['$$$'] }, 'make a$$$ fast')).toEqual(['keyword "$$$"']);
    expect(reasons({ keywords: ['🍆'] }, 'nice🍆!')).toEqual(['keyword "🍆"']);
    expect(reasons({ keywords: ['@everyone'] }, 'hi@everyone')).toEqual(['keyword "@everyone"']);
    expect(reasons({ keywords: ['@everyone'] }, 'hi @everyones')).toBeNull();
    expect(reasons({ keywords: ['c++'] }, 'abc++')).toBeNull();
    expect(reasons({ keywords: ['.*'] }, 'anything at all')).toBeNull();
  });

  it('name every keyword of the rule found, and find overlapping keywords of different rules', () => {
    expect(reasons({ keywords: ['cheap', 'pills', 'absent'] }, 'Cheap pills! cheap!')).toEqual([
      'keywords "cheap", "pills"',
    ]);
    const set = compileAutoMod([
      rule({ keywords: ['buy now'] }),
      rule({ keywords: ['buy'] }),
      rule({ keywords: ['now cheap'] }),
      rule({ keywords: ['uy'] }),
    ]);
    expect(set.evaluate(input('buy now cheap')).map((m) => m.reasons)).toEqual([
      ['keyword "buy now"'],
      ['keyword "buy"'],
      ['keyword "now cheap"'],
    ]);
  });

  it('find what a regular expression with Unicode lookarounds finds, on random texts', () => {
    // Keywords that are prefixes, suffixes and infixes of one another, to exercise the automaton's links.
    const keywords = ['ab', 'abab', 'bab', 'b a', 'a b a', 'aé', 'é', 'ba-', '-a', 'b', 'a.b', 'ab!'];
    const set = compileAutoMod(keywords.map((k) => rule({ keywords: [k] })));
    const escape = (k: string) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const word = /[\p{L}\p{M}\p{N}_]/u;
    const before = '(?<![\\p{L}\\p{M}\\p{N}_])';
    const after = '(?![\\p{L}\\p{M}\\p{N}_])';
    const expressions = keywords.map(
      (k) => new RegExp(`${word.test(k[0]) ? before : ''}${escape(k)}${word.test(k.at(-1) ?? '') ? after : ''}`, 'u'),
    );
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = ['a', 'b', 'A', 'é', 'e\u0301', ' ', '  ', '-', '.', '!', '_', '1'];
    for (let n = 0; n < 500; n++) {
      const text = Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => alphabet[Math.floor(random() * 12)],
      ).join('');
      const normalized = text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ');
      const expected = keywords.filter((_, i) => expressions[i].test(normalized)).map((k) => [`keyword "${k}"`]);
      expect([text, set.evaluate(input(text)).map((m) => m.reasons)]).toEqual([text, expected]);
    }
  });

  it('scan a long hostile text of near-misses and find nothing', () => {
    const keywords = Array.from({ length: 100 }, (_, i) => `keyword${i}x`);
    const set = compileAutoMod(Array.from({ length: 20 }, () => rule({ keywords })));
    const text = Array.from({ length: 4000 }, (_, i) => `keyword${i % 100}`)
      .join(' ')
      .slice(0, 40_000);
    expect(set.evaluate(input(text))).toEqual([]);
    expect(set.evaluate(input(`${text} keyword7x`))).toHaveLength(20);
  });
});

describe('AutoMod patterns', () => {
  it('match case-insensitively on the NFKC text, naming the first pattern that matched', () => {
    expect(reasons({ patterns: ['b[i1]tc[o0]in', 'fr[e3]{2}'] }, 'Free BITC0IN')).toEqual(['pattern "b[i1]tc[o0]in"']);
    expect(reasons({ patterns: ['bitcoin'] }, 'ｂｉｔｃｏｉｎ')).toEqual(['pattern "bitcoin"']);
    expect(reasons({ patterns: ['b[i1]tc[o0]in', '^free'] }, 'not free')).toBeNull();
  });

  it('run a catastrophic-backtracking pattern in linear time', () => {
    const text = `${'a'.repeat(30_000)}b`;
    expect(reasons({ patterns: ['(a+)+$'] }, text)).toBeNull();
    expect(reasons({ patterns: ['(a+)+b$'] }, text)).toEqual(['pattern "(a+)+b$"']);
    expect(reasons({ patterns: ['(x+x+)+y'] }, 'x'.repeat(30_000))).toBeNull();
  });

  it('answer, run together, what RE2 answers for each pattern alone', () => {
    const patterns = [
      '^free',
      'now$',
      '\\bwin\\b',
      '[0-9]{3}-[0-9]{4}',
      'ca(?:f|ff)é',
      '(?s)a.b',
      'x{2,3}y',
      '\\p{Greek}+',
    ];
    const texts = ['Free now', 'not free', 'winner', 'a WIN!', 'call 555-1234', 'CAFFÉ', 'a\nb', 'xxxxy', 'αβγ', ''];
    const set = compileAutoMod(patterns.map((p) => rule({ patterns: [p] })));
    for (const text of texts) {
      const matched = set.evaluate(input(text)).map((m) => m.reasons[0]);
      const alone = patterns.filter((p) => RE2JS.compile(p, RE2JS.CASE_INSENSITIVE).test(text));
      expect(matched).toEqual(alone.map((p) => `pattern "${p}"`));
    }
  });

  it('never match with a stored pattern that no longer compiles', () => {
    expect(reasons({ patterns: ['(unclosed'] }, '(unclosed')).toBeNull();
    expect(reasons({ patterns: ['(unclosed', 'spam'] }, 'spam')).toEqual(['pattern "spam"']);
  });
});

describe('AutoMod link domains', () => {
  it('match a link to the domain or a subdomain, in any link form', () => {
    const domains = { linkDomains: ['spam.example'] };
    expect(reasons(domains, 'see https://spam.example/offer')).toEqual(['link to spam.example']);
    expect(reasons(domains, 'see HTTP://Shop.SPAM.example:8080/x?y#z')).toEqual(['link to spam.example']);
    expect(reasons(domains, '[cheap](https://a.b.spam.example)')).toEqual(['link to spam.example']);
    expect(reasons(domains, '[cheap](//spam.example/x)')).toEqual(['link to spam.example']);
    expect(reasons(domains, '<a href="https://spam.example">x</a>')).toEqual(['link to spam.example']);
    expect(reasons(domains, "<a href='//www.spam.example'>x</a>")).toEqual(['link to spam.example']);
    expect(reasons(domains, 'go to www.spam.example now')).toEqual(['link to spam.example']);
    expect(reasons(domains, '(www.spam.example.)')).toEqual(['link to spam.example']);
    expect(reasons(domains, 'https://user:pw@spam.example/')).toEqual(['link to spam.example']);
    expect(reasons(domains, 'https://ｓｐａｍ．example')).toEqual(['link to spam.example']);
  });

  it('do not match look-alikes, other hosts, e-mail addresses or unlinked names', () => {
    const domains = { linkDomains: ['spam.example'] };
    expect(reasons(domains, 'https://notspam.example/')).toBeNull();
    expect(reasons(domains, 'https://spam.example.evil.test/')).toBeNull();
    expect(reasons(domains, 'https://evil.test/spam.example')).toBeNull();
    expect(reasons(domains, 'write to info@spam.example')).toBeNull();
    expect(reasons(domains, 'spam.example is a bad site')).toBeNull();
    expect(reasons(domains, 'xwww.spam.example')).toBeNull();
  });

  it('name every domain of the rule linked to', () => {
    expect(
      reasons({ linkDomains: ['a.example', 'b.example', 'c.example'] }, 'http://b.example http://x.a.example'),
    ).toEqual(['links to a.example, b.example']);
    expect([...linkedHosts('http://B.example., www.c.example/x and https://[::1]/')]).toEqual([
      'b.example',
      'www.c.example',
    ]);
  });
});

describe('AutoMod mentions', () => {
  it('count distinct handles, case-insensitively, and match above the bound', () => {
    expect(countMentions('@ann @Ann @bob, hi @carol_1!')).toBe(3);
    expect(reasons({ maxMentions: 2 }, '@ann @Ann @bob, hi @carol_1!')).toEqual(['3 mentions']);
    expect(reasons({ maxMentions: 3 }, '@ann @Ann @bob, hi @carol_1!')).toBeNull();
    expect(reasons({ maxMentions: 0 }, 'hey @ann')).toEqual(['1 mentions']);
  });

  it('count no e-mail address, no over-long handle and no bare @', () => {
    expect(countMentions('ann@example.com @ @! x@y')).toBe(0);
    expect(countMentions(`@${'a'.repeat(30)} @${'b'.repeat(31)}`)).toBe(1);
    expect(countMentions('(@ann) "@bob"')).toBe(2);
    expect(reasons({ maxMentions: 2 }, '(@ann) "@bob" ＠ｃａｒｏｌ')).toEqual(['3 mentions']); // full-width, after NFKC
  });
});

describe('AutoMod repeatedText and rate', () => {
  const recent = (...items: [string, number][]) => items.map(([text, s]) => ({ text, at: secondsAgo(s) }));

  it('repeatedText counts the same normalized text within the window, boundary included', () => {
    const conditions = { repeatedText: { count: 2, withinSeconds: 60 } };
    const same = recent(['Buy  NOW', 10], [' buy now\n', 60], ['something else', 5]);
    expect(reasons(conditions, 'buy now', { recent: same })).toEqual(['same text 2 times within 1 min']);
    const older = recent(['Buy  NOW', 10], [' buy now\n', 60.001], ['buy now', 3600]);
    expect(reasons(conditions, 'buy now', { recent: older })).toBeNull();
    expect(reasons(conditions, 'buy now', { recent: recent(['buy now!', 1], ['buy now', 2]) })).toBeNull();
  });

  it('rate counts every recent write within the window, boundary included', () => {
    const conditions = { rate: { count: 3, withinSeconds: 30 } };
    expect(reasons(conditions, 'x', { recent: recent(['a', 1], ['b', 10], ['c', 30], ['d', 31]) })).toEqual([
      '3 earlier writes within 30 s',
    ]);
    expect(reasons(conditions, 'x', { recent: recent(['a', 1], ['b', 10], ['c', 30.001]) })).toBeNull();
    expect(reasons(conditions, 'x')).toBeNull();
  });

  it('reports the longest window as lookbackSeconds', () => {
    const set = compileAutoMod([
      rule({ rate: { count: 5, withinSeconds: 60 } }),
      rule({ repeatedText: { count: 2, withinSeconds: 600 } }),
      rule({ rate: { count: 5, withinSeconds: 6000 } }, { enabled: false }),
    ]);
    expect(set.lookbackSeconds).toBe(600);
    expect(compileAutoMod([rule({ keywords: ['x'] })]).lookbackSeconds).toBe(0);
  });
});

describe('AutoMod author conditions', () => {
  it('hold only when every bound set holds', () => {
    const newcomer = { accountCreatedAt: hoursAgo(2), joinedAt: secondsAgo(90), level: 0, reputation: 3 };
    const all = { accountAgeHoursBelow: 24, membershipAgeHoursBelow: 2, levelBelow: 1, reputationBelow: 10 };
    expect(reasons({ author: all }, 'hi', { author: newcomer })).toEqual([
      'account 2 h old',
      'member for 1 min',
      'level 0',
      'reputation 3',
    ]);
    expect(reasons({ author: all }, 'hi', { author: { ...newcomer, accountCreatedAt: hoursAgo(24) } })).toBeNull();
    expect(reasons({ author: all }, 'hi', { author: { ...newcomer, joinedAt: hoursAgo(2) } })).toBeNull();
    expect(reasons({ author: all }, 'hi', { author: { ...newcomer, level: 1 } })).toBeNull();
    expect(reasons({ author: all }, 'hi', { author: { ...newcomer, reputation: 10 } })).toBeNull();
  });

  it('count an author who is not a member as new to the community', () => {
    expect(reasons({ author: { membershipAgeHoursBelow: 1 } }, 'hi', { author: { joinedAt: null } })).toEqual([
      'not a member',
    ]);
  });

  it('needsAuthor tells whether any enabled rule reads them', () => {
    expect(compileAutoMod([rule({ keywords: ['x'] })]).needsAuthor).toBe(false);
    expect(compileAutoMod([rule({ author: { levelBelow: 2 } }, { enabled: false })]).needsAuthor).toBe(false);
    expect(compileAutoMod([rule({ keywords: ['x'] }), rule({ author: { levelBelow: 2 } })]).needsAuthor).toBe(true);
  });
});

describe('AutoMod rules', () => {
  it('match when every condition holds (AND), reasons in the order of the conditions', () => {
    const conditions: AutoModConditions = {
      keywords: ['crypto'],
      linkDomains: ['spam.example'],
      author: { accountAgeHoursBelow: 24 },
    };
    const newcomer = { accountCreatedAt: hoursAgo(3) };
    expect(reasons(conditions, 'crypto at https://spam.example', { author: newcomer })).toEqual([
      'keyword "crypto"',
      'link to spam.example',
      'account 3 h old',
    ]);
    expect(reasons(conditions, 'crypto at https://spam.example')).toBeNull(); // an old account
    expect(reasons(conditions, 'crypto at https://ok.example', { author: newcomer })).toBeNull();
    expect(reasons(conditions, 'bitcoin at https://spam.example', { author: newcomer })).toBeNull();
  });

  it('apply to their subjects only', () => {
    const conditions = { keywords: ['spam'], subjects: [AutoModSubject.CHAT_MESSAGE, AutoModSubject.POLL_OPTION] };
    expect(reasons(conditions, 'spam', { subject: AutoModSubject.CHAT_MESSAGE })).toEqual(['keyword "spam"']);
    expect(reasons(conditions, 'spam', { subject: AutoModSubject.POLL_OPTION })).toEqual(['keyword "spam"']);
    expect(reasons(conditions, 'spam', { subject: AutoModSubject.POST })).toBeNull();
    expect(reasons(conditions, 'spam', { subject: AutoModSubject.COMMENT })).toBeNull();
  });

  it('never match an exempt author', () => {
    const set = compileAutoMod([rule({ keywords: ['spam'] }), rule({ author: { levelBelow: 100 } })]);
    expect(set.evaluate(input('spam'))).toHaveLength(2);
    expect(set.evaluate(input('spam', { author: { exempt: true } }))).toEqual([]);
  });

  it('answer every enabled rule that matches, in rule order, with its action and duration', () => {
    const rules = [
      rule({ keywords: ['spam'] }, { action: AutoModAction.REPORT }),
      rule({ keywords: ['spam'] }, { action: AutoModAction.BLOCK, enabled: false }),
      rule({ keywords: ['other'] }, { action: AutoModAction.BLOCK }),
      rule({ maxMentions: 0 }, { action: AutoModAction.MUTE, durationSeconds: 3600 }),
      rule({ keywords: ['spam'] }, { action: AutoModAction.HOLD, durationSeconds: 99 }),
    ];
    const set = compileAutoMod(rules);
    expect(set.size).toBe(4);
    expect(set.evaluate(input('spam @ann'))).toEqual([
      {
        ruleId: rules[0].id,
        name: rules[0].name,
        action: 'REPORT',
        durationSeconds: null,
        reasons: ['keyword "spam"'],
      },
      { ruleId: rules[3].id, name: rules[3].name, action: 'MUTE', durationSeconds: 3600, reasons: ['1 mentions'] },
      { ruleId: rules[4].id, name: rules[4].name, action: 'HOLD', durationSeconds: null, reasons: ['keyword "spam"'] },
    ]);
  });

  it('drop a stored rule left with no condition rather than match every write', () => {
    const set = compileAutoMod([rule({}), rule({ subjects: [AutoModSubject.POST], keywords: [' '] })]);
    expect(set.size).toBe(0);
    expect(set.evaluate(input('anything', { subject: AutoModSubject.POST }))).toEqual([]);
  });
});

describe('strongestMatch', () => {
  const m = (action: AutoModAction, ruleId: number): AutoModMatch => ({
    ruleId,
    name: `r${ruleId}`,
    action,
    durationSeconds: null,
    reasons: [],
  });

  it('ranks BLOCK > MUTE > HOLD > REPORT, the first in rule order on a tie, null for none', () => {
    expect(strongestMatch([])).toBeNull();
    expect(strongestMatch([m(AutoModAction.REPORT, 1), m(AutoModAction.HOLD, 2)])?.ruleId).toBe(2);
    expect(
      strongestMatch([m(AutoModAction.HOLD, 1), m(AutoModAction.MUTE, 2), m(AutoModAction.REPORT, 3)])?.ruleId,
    ).toBe(2);
    expect(
      strongestMatch([m(AutoModAction.MUTE, 1), m(AutoModAction.BLOCK, 2), m(AutoModAction.BLOCK, 3)])?.ruleId,
    ).toBe(2);
    expect(strongestMatch([m(AutoModAction.HOLD, 4), m(AutoModAction.HOLD, 5)])?.ruleId).toBe(4);
  });
});

describe('validateAutoModRule', () => {
  it('normalizes: keywords, domains and subjects deduplicated, unset and empty conditions left out', () => {
    expect(
      validateAutoModRule({
        conditions: {
          keywords: ['  Buy   Now ', 'buy now', 'ＣＡＦＥ\u0301', 'x'],
          patterns: ['spam', 'spam'],
          linkDomains: ['Spam.Example.', 'spam.example', 'bücher.example'],
          subjects: [AutoModSubject.POST, AutoModSubject.COMMENT, AutoModSubject.POST],
          author: {},
          rate: null,
        } as unknown as AutoModConditions,
        action: AutoModAction.HOLD,
        durationSeconds: null,
      }),
    ).toEqual({
      conditions: {
        keywords: ['buy now', 'café', 'x'],
        patterns: ['spam'],
        linkDomains: ['spam.example', 'bücher.example'],
        subjects: [AutoModSubject.POST, AutoModSubject.COMMENT],
      },
      durationSeconds: null,
    });
    expect(normalizeKeyword(' Ｂｕｙ\u200B\tNOW ')).toBe('buy now');
  });

  it('needs a condition besides subjects, and refuses unknown keys', () => {
    expect(refusal({ subjects: [AutoModSubject.POST] }, 'conditions')).toMatch(/at least one condition/);
    expect(refusal({ keywords: [], patterns: null, author: {} }, 'conditions')).toMatch(/at least one condition/);
    expect(refusal(null, 'conditions')).toMatch(/object/);
    expect(refusal({ keywords: ['x'], words: ['y'] }, 'conditions.words')).toMatch(/Unknown condition "words"/);
    expect(refusal({ author: { ageBelow: 3 } }, 'conditions.author.ageBelow')).toMatch(/Unknown/);
    expect(refusal({ rate: { count: 1, withinSeconds: 1, per: 2 } }, 'conditions.rate.per')).toMatch(/Unknown/);
  });

  it('bounds keywords: 1 to 100 characters after trimming, at most 100 distinct', () => {
    expect(refusal({ keywords: ['ok', '   '] }, 'conditions.keywords[1]')).toBe(
      'keywords[1] must be 1 to 100 characters long',
    );
    expect(refusal({ keywords: ['x'.repeat(101)] }, 'conditions.keywords[0]')).toMatch(/1 to 100/);
    expect(refusal({ keywords: ['ok', 3] }, 'conditions.keywords[1]')).toMatch(/string/);
    expect(refusal({ keywords: 'spam' }, 'conditions.keywords')).toMatch(/list/);
    const many = Array.from({ length: AUTOMOD_LIMITS.keywords + 1 }, (_, i) => `w${i}`);
    expect(refusal({ keywords: many }, 'conditions.keywords')).toBe('At most 100 keywords per rule');
    expect(
      validateAutoModRule({ conditions: { keywords: [...many.slice(1), 'W1'] }, action: AutoModAction.HOLD }),
    ).toBeTruthy(); // 101 given, 100 distinct
  });

  it('refuses a pattern that RE2 does not compile, with RE2 message and the field', () => {
    const message = refusal({ patterns: ['ok', 'fine', '(unclosed'] }, 'conditions.patterns[2]');
    expect(message).toMatch(/^patterns\[2\] is not a valid RE2 pattern: .*missing closing \)/);
    expect(refusal({ patterns: ['(a)\\1'] }, 'conditions.patterns[0]')).toMatch(/invalid escape/);
    expect(refusal({ patterns: ['(?=x)'] }, 'conditions.patterns[0]')).toMatch(/not a valid RE2 pattern/);
  });

  it('bounds patterns: length, count, program size, and no empty match', () => {
    expect(refusal({ patterns: ['x'.repeat(501)] }, 'conditions.patterns[0]')).toMatch(/1 to 500 characters/);
    expect(refusal({ patterns: [''] }, 'conditions.patterns[0]')).toMatch(/1 to 500 characters/);
    const many = Array.from({ length: 21 }, (_, i) => `p${i}`);
    expect(refusal({ patterns: many }, 'conditions.patterns')).toBe('At most 20 patterns per rule');
    expect(refusal({ patterns: ['a[ab]{1000}c'] }, 'conditions.patterns[0]')).toMatch(/too complex.*at most 1000/);
    expect(refusal({ patterns: ['spam', 'x*'] }, 'conditions.patterns[1]')).toMatch(/matches an empty text/);
    expect(refusal({ patterns: ['^'] }, 'conditions.patterns[0]')).toMatch(/matches an empty text/);
    expect(validateAutoModRule({ conditions: { patterns: ['[ab]{200}'] }, action: AutoModAction.HOLD })).toBeTruthy();
  });

  it('refuses link domains that are no host name, saying what to write', () => {
    const field = 'conditions.linkDomains[1]';
    expect(refusal({ linkDomains: ['ok.example', 'https://spam.example'] }, field)).toMatch(/without "https:\/\/"/);
    expect(refusal({ linkDomains: ['ok.example', 'spam.example/'] }, field)).toMatch(/without a path/);
    expect(refusal({ linkDomains: ['ok.example', 'spam.example:8080'] }, field)).toMatch(/without a port/);
    expect(refusal({ linkDomains: ['ok.example', '*.spam.example'] }, field)).toMatch(/write "spam.example"/);
    expect(refusal({ linkDomains: ['ok.example', 'spam..example'] }, field)).toMatch(/not a valid domain name/);
    expect(refusal({ linkDomains: ['ok.example', '-spam.example'] }, field)).toMatch(/not a valid domain name/);
    expect(refusal({ linkDomains: ['ok.example', 'sp am.example'] }, field)).toMatch(/not a valid domain name/);
    expect(refusal({ linkDomains: ['ok.example', ''] }, field)).toMatch(/not a valid domain name/);
    const many = Array.from({ length: 51 }, (_, i) => `d${i}.example`);
    expect(refusal({ linkDomains: many }, 'conditions.linkDomains')).toBe('At most 50 link domains per rule');
  });

  it('bounds the numbers, naming the field', () => {
    expect(refusal({ maxMentions: 101 }, 'conditions.maxMentions')).toBe(
      'maxMentions must be a whole number from 0 to 100',
    );
    expect(refusal({ maxMentions: -1 }, 'conditions.maxMentions')).toMatch(/0 to 100/);
    expect(refusal({ maxMentions: 1.5 }, 'conditions.maxMentions')).toMatch(/whole number/);
    expect(refusal({ repeatedText: { count: 0, withinSeconds: 60 } }, 'conditions.repeatedText.count')).toBe(
      'repeatedText.count must be a whole number from 1 to 100',
    );
    expect(refusal({ repeatedText: { count: 2 } }, 'conditions.repeatedText.withinSeconds')).toMatch(/1 to 86400/);
    expect(refusal({ rate: { count: 1001, withinSeconds: 60 } }, 'conditions.rate.count')).toMatch(/1 to 1000/);
    expect(refusal({ rate: { count: 10, withinSeconds: 86_401 } }, 'conditions.rate.withinSeconds')).toMatch(
      /1 to 86400/,
    );
    expect(refusal({ rate: 5 }, 'conditions.rate')).toMatch(/object/);
    expect(refusal({ author: { accountAgeHoursBelow: 87_601 } }, 'conditions.author.accountAgeHoursBelow')).toBe(
      'author.accountAgeHoursBelow must be a whole number from 0 to 87600',
    );
    expect(refusal({ author: { levelBelow: -1 } }, 'conditions.author.levelBelow')).toBe(
      'author.levelBelow must be a whole number of at least 0',
    );
    expect(refusal({ author: { reputationBelow: '5' } }, 'conditions.author.reputationBelow')).toMatch(/whole/);
    expect(refusal({ keywords: ['x'], subjects: ['POST', 'WIKI'] }, 'conditions.subjects[1]')).toMatch(
      /one of POST, COMMENT, CHAT_MESSAGE, POLL_OPTION/,
    );
  });

  it('gives a MUTE a duration of 60 s to 30 days, and no other action a duration', () => {
    const conditions = { keywords: ['spam'] };
    expect(validateAutoModRule({ conditions, action: AutoModAction.MUTE, durationSeconds: 60 })).toEqual({
      conditions,
      durationSeconds: 60,
    });
    expect(refusal(conditions, 'durationSeconds', AutoModAction.MUTE)).toMatch(/MUTE needs durationSeconds/);
    expect(refusal(conditions, 'durationSeconds', AutoModAction.MUTE, 59)).toMatch(/60 to 2592000/);
    expect(refusal(conditions, 'durationSeconds', AutoModAction.MUTE, 2_592_001)).toMatch(/60 to 2592000/);
    expect(refusal(conditions, 'durationSeconds', AutoModAction.BLOCK, 600)).toMatch(/MUTE only/);
    expect(refusal(conditions, 'action', 'DELETE' as AutoModAction)).toMatch(/one of BLOCK, HOLD, REPORT, MUTE/);
    expect(validateAutoModRule({ conditions, action: AutoModAction.REPORT }).durationSeconds).toBeNull();
  });
});
