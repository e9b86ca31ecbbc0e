import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The SSRF guard of webhook deliveries: an endpoint's host is resolved once, every address it
 * resolves to must be public, and the request connects to the address checked (never resolving
 * again: a DNS answer that changes between the check and the connection, DNS rebinding, cannot
 * reach an inside address). WEBHOOK_ALLOWED_HOSTS names hosts exempt from the address check.
 */
// One list per family: a BlockList also matches IPv4 addresses against its IPv6 rules (as mapped addresses).
const BLOCKED_V4 = new BlockList();
const BLOCKED_V6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network, unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata: 169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED_V4.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['64:ff9b::', 96], // NAT64 (reaches IPv4 addresses through a translator)
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  BLOCKED_V6.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address (v4 or v6) is one a webhook may not reach: anything but a public unicast address. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED_V4.check(address, 'ipv4');
  if (family !== 6) return true;
  // An IPv4-mapped address (::ffff:a.b.c.d) reaches the IPv4 address it maps: checked as that one.
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(new URL(`http://[${address}]`).hostname);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
    return BLOCKED_V4.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return BLOCKED_V6.check(address, 'ipv6');
}

/** The host of a URL as it is compared with WEBHOOK_ALLOWED_HOSTS: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** Why a delivery was not sent (recorded as the attempt's `error`; counts as a failure). */
export class RefusedAddress extends Error {
  override name = 'RefusedAddress';
}

/**
 * The address to connect to for `url`: its host resolved (an IP literal as is), refused when any
 * address it resolves to is not public, unless the host is in `allowedHosts`.
 */
export async function resolveTarget(
  url: URL,
  allowedHosts: readonly string[],
): Promise<{ address: string; family: 4 | 6 }> {
  const host = hostOf(url);
  const allowed = allowedHosts.some((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1') === host);
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await lookup(host, { all: true, verbatim: true }).catch((err: NodeJS.ErrnoException) => {
        throw new RefusedAddress(`cannot resolve ${host}: ${err.code ?? err.message}`);
      });
  if (!addresses.length) throw new RefusedAddress(`cannot resolve ${host}`);
  if (!allowed) {
    const blocked = addresses.find((a) => isBlockedAddress(a.address));
    if (blocked) throw new RefusedAddress(`refused: ${host} resolves to a non-public address (${blocked.address})`);
  }
  const [first] = addresses;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
