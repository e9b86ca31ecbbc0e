import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * Which proxies in front of the server may tell the client's address in `X-Forwarded-For`
 * (TRUST_PROXY). `false`: none, the client is the TCP peer. `{ hops }`: that many proxies, whatever
 * their addresses (e.g. 1 behind one load balancer). `{ addresses }`: proxies at these addresses or
 * CIDR ranges (and the names `loopback`, `linklocal`, `uniquelocal`), as Express's `trust proxy`.
 */
export type TrustProxy = false | { hops: number } | { addresses: string[] };

/** Ranges behind the names Express's `trust proxy` (proxy-addr) accepts. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Parses TRUST_PROXY: `false`/`0`/`off` (default), a hop count (`1`…), or a comma-separated list of
 * addresses, CIDR ranges and the names above. `true` (trust any chain) is refused: the leftmost
 * `X-Forwarded-For` entry is whatever the client wrote, so every client could pick its own rate-limit bucket.
 * @throws Error with a message fit to follow the variable's name
 */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'false' || text === 'off' || text === '0') return false;
  if (text === 'true')
    throw new Error(
      '"true" would trust any client\'s X-Forwarded-For: give the number of proxies (e.g. 1) or their addresses',
    );
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 32) throw new Error('at most 32 proxies');
    return { hops };
  }
  const addresses = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of addresses) {
    if (!Object.hasOwn(NAMED_RANGES, entry) && !parseRange(entry)) {
      throw new Error(
        `"${entry}" is neither a proxy count, an IP address, a CIDR range, nor loopback/linklocal/uniquelocal`,
      );
    }
  }
  return { addresses };
}

/** `10.0.0.0/8` or `10.1.2.3` as [address, prefix length, family]; undefined when malformed. */
function parseRange(entry: string): [string, number, 'ipv4' | 'ipv6'] | undefined {
  const [address, bits, extra] = entry.split('/');
  const version = isIP(address);
  if (!version || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d+$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return [address, prefix, version === 4 ? 'ipv4' : 'ipv6'];
}

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) as `10.0.0.1`, so IPv4 ranges match it. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The trusted ranges of one setting, compiled once (settings are long-lived objects from the config). */
const compiled = new WeakMap<{ addresses: string[] }, BlockList>();

function trustedRanges(setting: { addresses: string[] }): BlockList {
  let list = compiled.get(setting);
  if (!list) {
    list = new BlockList();
    for (const entry of setting.addresses.flatMap((e) => (Object.hasOwn(NAMED_RANGES, e) ? NAMED_RANGES[e] : [e]))) {
      const [address, prefix, family] = parseRange(entry)!;
      list.addSubnet(address, prefix, family);
    }
    compiled.set(setting, list);
  }
  return list;
}

/**
 * The address of the client that sent `req` (an HTTP request or a WebSocket upgrade: one rule for
 * both transports). Without TRUST_PROXY it is the TCP peer. With it, the chain is walked from the
 * peer back through `X-Forwarded-For` (right to left) past the trusted proxies, as Express's
 * `req.ip` does: the first address not trusted is the client, so entries a client wrote itself
 * (left of what the proxies appended) are never used.
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  const peer = plain(req.socket.remoteAddress ?? 'unknown');
  if (!trust) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => plain(s.trim()))
    .filter(Boolean);
  // Nearest first: the peer, then what each proxy appended, from the last proxy back.
  const chain = [peer, ...forwarded.reverse()];
  const ranges = 'addresses' in trust ? trustedRanges(trust) : undefined;
  const trusted = (address: string, i: number) => {
    if (!ranges) return i < (trust as { hops: number }).hops;
    const version = isIP(address);
    return version !== 0 && ranges.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
  let i = 0;
  while (i < chain.length - 1 && trusted(chain[i], i)) i++;
  return chain[i];
}

/** How client addresses appear in log lines (LOG_IP). */
export type LogIpMode = 'full' | 'truncated' | 'none';

/**
 * A client address as a log line may hold it (LOG_IP): `full`, `truncated` to its network (an IPv4
 * address to its /24, an IPv6 one to its /48: the network, not the machine), or `none` (undefined,
 * so the field is left out). Log lines leave the process: what they keep is the log store's retention.
 */
export function addressForLog(address: string, mode: LogIpMode): string | undefined {
  if (mode === 'none') return undefined;
  if (mode === 'full') return address;
  const version = isIP(address);
  if (version === 4) return address.replace(/\.\d+$/, '.0');
  if (version !== 6) return undefined;
  // Expand `::` to its zero groups, keep the first three, and write the /48 back.
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups.slice(0, 3).join(':')}::/48`;
}
