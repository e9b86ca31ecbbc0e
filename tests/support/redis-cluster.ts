import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { redisProcess, type PrivateRedis } from './redis-server';
import { onCleanup, tempDir } from './server';

/** A master of a test's Redis Cluster, with an admin connection of its own. */
export interface ClusterNode extends PrivateRedis {
  /** Its cluster node id. */
  id: string;
  admin: ReturnType<typeof createClient>;
}

/** A Redis Cluster of the test's own, on loopback, with no replicas and no persistence. */
export interface TestRedisCluster {
  nodes: ClusterNode[];
  /** The nodes' URLs, as REDIS_CLUSTER_NODES takes them. */
  urls: string[];
  /** The hash slot of a key or sharded channel (what Redis hashes: its hash tag if it has one). */
  slotOf(key: string): Promise<number>;
  /** The master that holds `slot`. */
  ownerOf(slot: number): Promise<ClusterNode>;
  /** Resolves once every running node reports `cluster_state:ok`. */
  ready(ms?: number): Promise<void>;
  /**
   * Moves `slot` (with its keys) to `to` while the cluster serves, as a rebalancing does:
   * IMPORTING / MIGRATING, MIGRATE, then SETSLOT … NODE on every node.
   */
  moveSlot(slot: number, to: ClusterNode): Promise<void>;
  /** The keys matching `pattern` on each node (SCAN). */
  keysByNode(pattern: string): Promise<Map<ClusterNode, string[]>>;
}

const run = promisify(execFile);

/** Whether nothing listens on `port` of loopback. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** `count` ports P below 30,000 with P and its cluster bus port P + 10,000 free. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count && tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (!ports.includes(port) && (await portFree(port)) && (await portFree(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error('no free ports for a Redis Cluster on loopback');
  return ports;
}

/**
 * Starts `size` `redis-server --cluster-enabled yes` on loopback (their nodes-<port>.conf in a
 * temporary folder), joins them with `redis-cli --cluster create … --cluster-replicas 0`, and waits
 * for `cluster_state:ok`. The nodes are killed and the folder removed in `closeAll`. A node killed by
 * the test and started again keeps its id and slots (its nodes-<port>.conf), not its data.
 */
export async function startRedisCluster(size = 3): Promise<TestRedisCluster> {
  const dir = tempDir('townsquare-redis-cluster-');
  const ports = await clusterPorts(size);
  const nodes = await Promise.all(
    ports.map(async (port): Promise<ClusterNode> => {
      const proc = redisProcess(port, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--dir',
        dir,
        // A node that restarts serves again after this (bounded to 0.5-5 s), not after the default 15 s.
        '--cluster-node-timeout',
        '2000',
        // The other nodes' slots keep serving while the test has one node down.
        '--cluster-require-full-coverage',
        'no',
      ]);
      await proc.start();
      const admin = createClient({ url: proc.url });
      admin.on('error', () => {});
      await admin.connect();
      onCleanup(() => admin.destroy());
      return { ...proc, id: await admin.clusterMyId(), admin };
    }),
  );
  await run('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((p) => `127.0.0.1:${p}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);

  const live = () => nodes.find((n) => n.admin.isReady) ?? nodes[0];
  const cluster: TestRedisCluster = {
    nodes,
    urls: nodes.map((n) => n.url),
    slotOf: (key) => live().admin.clusterKeySlot(key),
    async ownerOf(slot) {
      const shards = await live().admin.clusterSlots();
      const shard = shards.find((s) => s.from <= slot && slot <= s.to);
      const owner = nodes.find((n) => n.port === shard?.master.port);
      if (!owner) throw new Error(`no node holds slot ${slot}: ${JSON.stringify(shards)}`);
      return owner;
    },
    async ready(ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const states = await Promise.all(
          nodes.map((n) =>
            n.admin.clusterInfo().then(
              (info) => /cluster_state:ok/.test(info),
              () => false,
            ),
          ),
        );
        if (states.every(Boolean)) return;
        if (Date.now() > deadline) throw new Error(`the Redis cluster is not ok after ${ms} ms: ${states}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async moveSlot(slot, to) {
      const from = await cluster.ownerOf(slot);
      if (from === to) return;
      await to.admin.sendCommand(['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from.id]);
      await from.admin.sendCommand(['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', to.id]);
      for (;;) {
        const keys = await from.admin.sendCommand<string[]>(['CLUSTER', 'GETKEYSINSLOT', String(slot), '100']);
        if (!keys.length) break;
        await from.admin.sendCommand(['MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', 'KEYS', ...keys]);
      }
      for (const node of [to, from, ...nodes.filter((n) => n !== to && n !== from)])
        await node.admin.sendCommand(['CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id]);
    },
    async keysByNode(pattern) {
      const found = new Map<ClusterNode, string[]>();
      for (const node of nodes) {
        const keys: string[] = [];
        for await (const batch of node.admin.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
        found.set(node, keys);
      }
      return found;
    },
  };
  await cluster.ready();
  return cluster;
}
