/**
 * What the demo communities talk about: posts, threaded comments, votes and reactions.
 * DemoSeeder writes them and derives every counter (scores, HOT rank, comment and reply counts)
 * from these rows in SQL, so the figures here are the only source of truth.
 */

export const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
export type Handle = (typeof USERS)[number] | 'admin';

/** Who voted on a post or comment. Authors never vote on their own content; voters are members. */
export interface DemoVotes {
  up?: Handle[];
  down?: Handle[];
}

export interface DemoComment {
  by: Handle;
  body: string;
  votes?: DemoVotes;
  replies?: DemoComment[];
}

export interface DemoPost {
  community: string;
  by: Handle;
  /** Age when the demo is loaded: HOT ranks decay with it. */
  hoursAgo: number;
  title: string;
  /** Markdown. */
  body: string;
  tags: string[];
  pinned?: boolean;
  votes?: DemoVotes;
  reactions?: [Handle, string][];
  comments?: DemoComment[];
}

export const DEMO_POSTS: DemoPost[] = [
  {
    community: 'typescript',
    by: 'alice',
    hoursAgo: 72,
    pinned: true,
    title: 'Welcome! Read this before you post',
    tags: ['meta', 'welcome'],
    body: [
      'Welcome to the **TypeScript** community. A few house rules:',
      '',
      '1. Search before asking: most `any` questions have been answered.',
      '2. Post a *minimal* reproduction, ideally a link to the [TypeScript playground](https://www.typescriptlang.org/play).',
      '3. Tag your post (`question`, `types`, `tooling`…) so others can filter the feed.',
      '',
      '> Be kind: everybody was confused by variance once.',
    ].join('\n'),
    votes: { up: ['bob', 'carol', 'dave'] },
    reactions: [
      ['bob', '🎉'],
      ['carol', '👍'],
    ],
    comments: [
      {
        by: 'carol',
        body: 'Thanks! Is there a place for job posts?',
        replies: [
          {
            by: 'alice',
            body: 'Not yet: tag them `jobs` for now and we will see how it goes.',
            votes: { up: ['carol'] },
          },
        ],
      },
    ],
  },
  {
    community: 'typescript',
    by: 'bob',
    hoursAgo: 20,
    title: '`satisfies` or a type annotation: which one when?',
    tags: ['types', 'tips'],
    body: [
      'An annotation *widens* the value to the declared type; `satisfies` checks it and keeps the inferred type:',
      '',
      '```ts',
      'type Route = { path: string; auth: boolean };',
      "const routes = { home: { path: '/', auth: false } } satisfies Record<string, Route>;",
      'routes.home.path; // still known to exist, and a typo in a key is still an error',
      '```',
      '',
      'Rule of thumb: annotate function boundaries, use `satisfies` for configuration objects.',
    ].join('\n'),
    votes: { up: ['alice', 'carol', 'dave'] },
    reactions: [['dave', '🤯']],
    comments: [
      {
        by: 'dave',
        body: 'So `satisfies` keeps the literal types as well?',
        votes: { up: ['carol'] },
        replies: [
          {
            by: 'bob',
            body: 'It keeps what inference gives you. Add `as const` if you want the literals themselves.',
            votes: { up: ['alice', 'dave'] },
          },
          { by: 'carol', body: 'And excess-property checks still apply, which is the part I like most.' },
        ],
      },
      {
        by: 'carol',
        body: 'We replaced most `as const` plus annotation pairs in our config with this. Much less noise.',
        votes: { up: ['bob'] },
      },
    ],
  },
  {
    community: 'typescript',
    by: 'carol',
    hoursAgo: 9,
    title: 'Migrating 40k lines to `strict: true`, one flag at a time',
    tags: ['strict', 'migration'],
    body: [
      'What worked for us, in order:',
      '',
      '- `noImplicitAny` first, with a codemod that added explicit `any` (then a lint rule against new ones)',
      '- `strictNullChecks` per folder, using a second `tsconfig` that `extends` the main one',
      '- `strictFunctionTypes` last: it found two real bugs',
      '',
      'Two weeks, four people, no feature freeze.',
    ].join('\n'),
    votes: { up: ['alice', 'bob'], down: ['dave'] },
    comments: [
      {
        by: 'alice',
        body: 'Which flag hurt the most?',
        replies: [
          {
            by: 'carol',
            body: '`strictNullChecks`, by far: about 1,900 errors, most of them `find()` results used without a check.',
            votes: { up: ['alice', 'bob'] },
          },
        ],
      },
      { by: 'dave', body: 'Down-voted only for the title: it took us six months.', votes: { down: ['carol'] } },
    ],
  },
  {
    community: 'typescript',
    by: 'dave',
    hoursAgo: 3,
    title: 'Why does `Object.keys` return `string[]`?',
    tags: ['question', 'types'],
    body: 'Given `const p: Point = { x: 1, y: 2 }`, I expected `Object.keys(p)` to be `("x" | "y")[]`. Why is it `string[]`?',
    votes: { up: ['carol'] },
    comments: [
      {
        by: 'bob',
        body: 'Because a value can have *more* keys than its type lists: types are open. `keyof` would be a lie at run time.',
        votes: { up: ['carol', 'dave'] },
        replies: [{ by: 'dave', body: 'That makes sense, thanks!' }],
      },
    ],
  },
  {
    community: 'gardening',
    by: 'bob',
    hoursAgo: 50,
    title: 'No-dig beds, one year on',
    tags: ['no-dig', 'soil'],
    body: [
      'Cardboard, then 15 cm of compost, planted straight into it. Results after a year:',
      '',
      '| crop | dug bed | no-dig bed |',
      '|---|---|---|',
      '| potatoes | 11 kg | 14 kg |',
      '| onions | 6 kg | 6 kg |',
      '',
      'Far fewer weeds. Slugs loved it, though.',
    ].join('\n'),
    votes: { up: ['erin', 'alice'] },
    reactions: [['erin', '🌱']],
    comments: [
      {
        by: 'alice',
        body: 'How thick was the compost layer in the first year?',
        replies: [{ by: 'bob', body: 'About 15 cm, topped up with 3 cm this spring.' }],
      },
    ],
  },
  {
    community: 'gardening',
    by: 'erin',
    hoursAgo: 30,
    title: 'Leggy tomato seedlings: light or heat?',
    tags: ['tomatoes', 'seedlings', 'question'],
    body: 'My seedlings are 10 cm tall, thin and pale, on a south windowsill at 22 °C. Too warm, or too little light?',
    votes: { up: ['bob', 'alice'] },
    reactions: [['alice', '🍅']],
    comments: [
      {
        by: 'bob',
        body: 'Light. Put them under an LED panel, **5 cm** above the leaves, and drop the temperature a little at night.',
        votes: { up: ['erin', 'alice'] },
        replies: [{ by: 'erin', body: 'Moved the lamp down yesterday; they already look sturdier.' }],
      },
      { by: 'alice', body: 'Plant them deeper when you pot on: tomatoes root along the buried stem.' },
    ],
  },
  {
    community: 'gardening',
    by: 'alice',
    hoursAgo: 5,
    title: 'What to sow in March (zone 8)',
    tags: ['sowing', 'calendar'],
    body: '- indoors: tomatoes, peppers, celeriac\n- outdoors, under fleece: broad beans, early peas, radishes\n\nWhat did I forget?',
    votes: { up: ['erin'] },
    comments: [{ by: 'erin', body: 'Sweet peas! Pinch them out at four pairs of leaves.' }],
  },
  {
    community: 'founders-circle',
    by: 'admin',
    hoursAgo: 12,
    title: 'Draft: moderation playbook',
    tags: ['moderation', 'draft'],
    body: 'A first draft for every community on Townsquare:\n\n1. Warn in private first\n2. Remove the content, not the person\n3. Ban only after a second warning, and say for how long',
    votes: { up: ['alice', 'bob'] },
    comments: [
      {
        by: 'alice',
        body: 'Point 3 should also say who may lift a ban.',
        replies: [{ by: 'admin', body: 'Good point: added "any admin of the community, with a note".' }],
      },
    ],
  },
];
