import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWebConcurrency, loadConfig } from '../../src/config';
import { WRITE_RATE_DEFAULTS } from '../../src/platform/guards/write-limits';

/** The settings of issue 12 as loadConfig reads them: defaults per NODE_ENV, and bad values named. */

const dataDir = mkdtempSync(join(tmpdir(), 'townsquare-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const SECRET = 'config-secret-config-secret-config-secret';
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, TOKEN_SECRET: SECRET, ...env });

describe('defaults that depend on NODE_ENV', () => {
  it('keeps the demo data and introspection off in production unless set explicitly', () => {
    expect(load({ NODE_ENV: 'production' })).toMatchObject({ SEED_DEMO: false, INTROSPECTION: 'admins' });
    expect(load({ NODE_ENV: 'production', SEED_DEMO: 'true', INTROSPECTION: 'all' })).toMatchObject({
      SEED_DEMO: true,
      INTROSPECTION: 'all',
    });
  });

  it('loads the demo data and shows the schema to everyone in development', () => {
    expect(load({})).toMatchObject({ NODE_ENV: 'development', SEED_DEMO: true, INTROSPECTION: 'all' });
    expect(load({ SEED_DEMO: 'false', INTROSPECTION: 'off' })).toMatchObject({
      SEED_DEMO: false,
      INTROSPECTION: 'off',
    });
  });

  it('hashes passwords at scrypt cost 15 unless told otherwise, and never below it in production', () => {
    expect(load({}).PASSWORD_HASH_COST).toBe(15);
    expect(load({ PASSWORD_HASH_COST: '10' }).PASSWORD_HASH_COST).toBe(10);
    expect(load({ NODE_ENV: 'production', PASSWORD_HASH_COST: '16' }).PASSWORD_HASH_COST).toBe(16);
    expect(() => load({ NODE_ENV: 'production', PASSWORD_HASH_COST: '14' })).toThrow(
      /PASSWORD_HASH_COST: at least 15 when NODE_ENV=production/,
    );
  });

  it('trusts no proxy, and applies the documented write limits, unless told otherwise', () => {
    expect(load({ NODE_ENV: 'production' })).toMatchObject({
      TRUST_PROXY: false,
      WRITE_RATE_LIMITS: WRITE_RATE_DEFAULTS,
    });
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    ['1', { hops: 1 }],
    ['false', false],
    ['10.0.0.0/8, 192.168.1.7,loopback', { addresses: ['10.0.0.0/8', '192.168.1.7', 'loopback'] }],
    ['fd00::/8', { addresses: ['fd00::/8'] }],
  ])('reads %j', (value, expected) => {
    expect(load({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each(['true', '10.0.0.0/33', 'proxy.internal', '1.2.3', 'constructor'])(
    'refuses %j, naming TRUST_PROXY',
    (value) => {
      expect(() => load({ TRUST_PROXY: value })).toThrow(/^Invalid environment:\n {2}TRUST_PROXY: /);
    },
  );
});

describe('WRITE_RATE_LIMITS', () => {
  it('overrides the named buckets, or every bucket with *', () => {
    const limits = load({ WRITE_RATE_LIMITS: 'posts=5/60, votes=100/30' }).WRITE_RATE_LIMITS;
    expect(limits).toEqual({
      ...WRITE_RATE_DEFAULTS,
      posts: { limit: 5, windowSeconds: 60 },
      votes: { limit: 100, windowSeconds: 30 },
    });
    const all = load({ WRITE_RATE_LIMITS: '*=7/9,polls=1/60' }).WRITE_RATE_LIMITS;
    expect(Object.values(all).filter((l) => l.limit === 7 && l.windowSeconds === 9)).toHaveLength(
      Object.keys(WRITE_RATE_DEFAULTS).length - 1,
    );
    expect(all.polls).toEqual({ limit: 1, windowSeconds: 60 });
  });

  it.each(['postz=5/60', 'constructor=5/60', 'posts=5', 'posts=0/60', 'posts=5/0'])(
    'refuses %j, naming WRITE_RATE_LIMITS',
    (value) => {
      expect(() => load({ WRITE_RATE_LIMITS: value })).toThrow(/^Invalid environment:\n {2}WRITE_RATE_LIMITS: /);
    },
  );
});

describe('WEB_CONCURRENCY', () => {
  it('is 1 unless set, and takes 1 to 64', () => {
    expect(load({}).WEB_CONCURRENCY).toBe(1);
    expect(load({ WEB_CONCURRENCY: '64' }).WEB_CONCURRENCY).toBe(64);
  });

  it.each(['0', '65', '1.5', 'two'])('refuses %j, naming WEB_CONCURRENCY', (value) => {
    expect(() => load({ WEB_CONCURRENCY: value })).toThrow(/^Invalid environment:\n {2}WEB_CONCURRENCY: /);
  });

  it('above 1, needs DATABASE_URL and REDIS_URL, naming the ones unset', () => {
    const DATABASE_URL = 'postgresql://db.internal/townsquare';
    const REDIS_URL = 'redis://redis.internal:6379';
    const check = (env: Record<string, string>) => () => checkWebConcurrency(load(env));
    expect(check({ WEB_CONCURRENCY: '1' })).not.toThrow();
    expect(check({ WEB_CONCURRENCY: '4', DATABASE_URL, REDIS_URL })).not.toThrow();
    const message =
      /^Invalid environment:\n {2}WEB_CONCURRENCY: 4 worker processes need DATABASE_URL and REDIS_URL \((.*)\)/;
    expect(check({ WEB_CONCURRENCY: '4' })).toThrow(message);
    expect(check({ WEB_CONCURRENCY: '4' })).toThrow('(DATABASE_URL and REDIS_URL are unset)');
    expect(check({ WEB_CONCURRENCY: '4', DATABASE_URL })).toThrow('(REDIS_URL is unset)');
    expect(check({ WEB_CONCURRENCY: '4', REDIS_URL })).toThrow('(DATABASE_URL is unset)');
  });

  it('takes a Redis Cluster (REDIS_CLUSTER_NODES) in place of REDIS_URL', () => {
    const env = { WEB_CONCURRENCY: '4', DATABASE_URL: 'postgresql://db.internal/townsquare' };
    expect(() => checkWebConcurrency(load({ ...env, REDIS_CLUSTER_NODES: 'redis://r1.internal:7000' }))).not.toThrow();
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('is unset unless set, and reads a comma-separated list of seed nodes', () => {
    expect(load({}).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(
      load({ REDIS_CLUSTER_NODES: 'redis://r1.internal:7000, rediss://user:secret@r2.internal:7001/0,' })
        .REDIS_CLUSTER_NODES,
    ).toEqual(['redis://r1.internal:7000', 'rediss://user:secret@r2.internal:7001/0']);
  });

  it('refuses it together with REDIS_URL, naming both', () => {
    expect(() =>
      load({ REDIS_URL: 'redis://redis.internal:6379', REDIS_CLUSTER_NODES: 'redis://r1.internal:7000' }),
    ).toThrow(
      /^Invalid environment:\n {2}REDIS_CLUSTER_NODES: set together with REDIS_URL; set one: REDIS_URL for one Redis, REDIS_CLUSTER_NODES for a Redis Cluster$/,
    );
  });

  it.each([
    ['http://r1.internal:7000', /Invalid URL/i],
    ['redis://r1.internal:7000,not a url', /Invalid URL/i],
    ['redis://r1.internal:7000/3', /a cluster has only database 0/],
    [' , ', /names no node/],
  ])('refuses %j, naming REDIS_CLUSTER_NODES', (value, reason) => {
    expect(() => load({ REDIS_CLUSTER_NODES: value })).toThrow(
      /^Invalid environment:\n {2}REDIS_CLUSTER_NODES\.?\d*: /,
    );
    expect(() => load({ REDIS_CLUSTER_NODES: value })).toThrow(reason);
  });
});

describe('read replicas', () => {
  const DATABASE_URL = 'postgresql://db.internal/townsquare';
  const REPLICAS = 'postgresql://replica-1.internal/townsquare, postgresql://replica-2.internal/townsquare';

  it('reads the replica URLs, and keeps a member who wrote on the primary for 5 s unless told otherwise', () => {
    expect(load({})).toMatchObject({ DATABASE_REPLICA_URLS: [], DATABASE_REPLICA_STICKY_MS: 5000 });
    expect(load({ DATABASE_URL, DATABASE_REPLICA_URLS: REPLICAS, DATABASE_REPLICA_STICKY_MS: '0' })).toMatchObject({
      DATABASE_REPLICA_URLS: [
        'postgresql://replica-1.internal/townsquare',
        'postgresql://replica-2.internal/townsquare',
      ],
      DATABASE_REPLICA_STICKY_MS: 0,
    });
  });

  it('refuses replicas without DATABASE_URL, the primary they replicate', () => {
    expect(() => load({ DATABASE_REPLICA_URLS: REPLICAS })).toThrow(
      /^Invalid environment:\n {2}DATABASE_REPLICA_URLS: needs DATABASE_URL/,
    );
  });

  it.each([
    ['DATABASE_REPLICA_URLS', 'mysql://replica.internal/townsquare'],
    ['DATABASE_REPLICA_STICKY_MS', '-1'],
    ['DATABASE_REPLICA_STICKY_MS', '3600001'],
    ['DATABASE_REPLICA_STICKY_MS', 'soon'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(() => load({ DATABASE_URL, [name]: value })).toThrow(new RegExp(`^Invalid environment:\\n {2}${name}`));
  });
});
