import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** An address a delivery may connect to (as `dns.lookup` gives it). */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address (injected in tests to play DNS rebinding). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const resolveWithDns: ResolveHost = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

/** A webhook URL refused by the destination policy; `message` says why, for the API and the attempt log. */
export class UnsafeDestinationError extends Error {
  override readonly name = 'UnsafeDestinationError';
}

/**
 * Ranges a webhook must not reach unless allowlisted (SSRF: the worker sits inside the network):
 * private, loopback, link-local, and the special-purpose ranges of RFC 6890 that are no public
 * host (documentation, benchmarking, multicast, NAT64 and 6to4 which may wrap a private IPv4).
 */
const REFUSED_RANGES: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fec0::/10'],
  'link-local': ['169.254.0.0/16', 'fe80::/10'],
  unspecified: ['0.0.0.0/8', '::/128'],
  multicast: ['224.0.0.0/4', 'ff00::/8'],
  reserved: [
    '192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4',
    '::/96', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '2002::/16',
  ],
};

function subnetList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network, prefix] = cidr.split('/') as [string, string | undefined];
    const type = isIP(network) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(network, type);
    else list.addSubnet(network, Number(prefix), type);
  }
  return list;
}

const REFUSED = Object.entries(REFUSED_RANGES).map(([kind, cidrs]) => ({ kind, list: subnetList(cidrs) }));

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`), else null. */
function mappedIPv4(address: string): string | null {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function typeOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/**
 * The destination policy of CONCORD_WEBHOOK_ALLOWLIST: public addresses are always fine; a
 * refused range is fine only when the URL's host name is listed, or the address falls in a listed
 * IP or CIDR. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export class DestinationPolicy {
  private readonly hosts: ReadonlySet<string>;
  private readonly allowed: BlockList;

  constructor(allowlist: readonly string[]) {
    const hosts = new Set<string>();
    const cidrs: string[] = [];
    for (const entry of allowlist) {
      if (isIP(entry.split('/')[0]!) !== 0) cidrs.push(entry);
      else hosts.add(entry.replace(/\.$/, '').toLowerCase());
    }
    this.hosts = hosts;
    this.allowed = subnetList(cidrs);
  }

  /** Why a connection to `address` for `hostname` is refused, or null when it is allowed. */
  refusal(hostname: string, address: string): string | null {
    if (this.hosts.has(hostname.replace(/\.$/, '').toLowerCase())) return null;
    const candidates = [address, mappedIPv4(address)].filter((value): value is string => value !== null);
    if (candidates.some((candidate) => this.allowed.check(candidate, typeOf(candidate)))) return null;
    for (const candidate of candidates) {
      const refused = REFUSED.find(({ list }) => list.check(candidate, typeOf(candidate)));
      if (refused) return `${candidate} is a ${refused.kind} address (allow it with CONCORD_WEBHOOK_ALLOWLIST)`;
    }
    return null;
  }
}

/** `http:`/`https:` only, no credentials in the URL (they would be listed back); else why not. */
export function urlShapeProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials (user:password@)';
  return null;
}

/** The URL's host as DNS and `net` know it (IPv6 literals without brackets). */
export function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Every address of the URL's host, each checked against the policy: one refused address refuses
 * the whole URL (a host that answers with a private and a public address could connect to either).
 * A literal IP is checked as is. Throws UnsafeDestinationError with the reason.
 */
export async function resolveDestination(url: URL, policy: DestinationPolicy, resolve: ResolveHost): Promise<ResolvedAddress[]> {
  const problem = urlShapeProblem(url.href);
  if (problem !== null) throw new UnsafeDestinationError(`the URL ${problem}`);
  const hostname = hostnameOf(url);
  const family = isIP(hostname);
  let addresses: ResolvedAddress[];
  if (family !== 0) {
    addresses = [{ address: hostname, family: family === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch (error) {
      throw new UnsafeDestinationError(`${hostname} does not resolve (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if (addresses.length === 0) throw new UnsafeDestinationError(`${hostname} does not resolve`);
  }
  for (const { address } of addresses) {
    const refusal = policy.refusal(hostname, address);
    if (refusal !== null) throw new UnsafeDestinationError(family === 0 ? `${hostname} resolves to ${refusal}` : refusal);
  }
  return addresses;
}
