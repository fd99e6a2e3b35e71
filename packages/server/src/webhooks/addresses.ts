import ipaddr from 'ipaddr.js';

/**
 * What kind of address an IP is, for egress rules. Anything not in a special-purpose range is
 * `public`. The ranges are ipaddr.js's (the IANA IPv4/IPv6 Special-Purpose Address Registries,
 * RFC 6890 and successors), the same table proxy-addr and Fastify use; a range it names that
 * is not mapped below is `reserved`, so a new special range is refused rather than allowed.
 */
export type AddressKind = 'public' | 'loopback' | 'private' | 'cgnat' | 'link-local' | 'multicast' | 'unspecified' | 'reserved';

const KINDS: Record<string, AddressKind> = {
  unicast: 'public',
  unspecified: 'unspecified',
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
  carrierGradeNat: 'cgnat',
  // Cloud metadata services (169.254.169.254 and friends) live here.
  linkLocal: 'link-local',
  multicast: 'multicast',
};

/** IPv6 ranges whose last 32 bits (or bits 16–47 for 6to4) are an IPv4 address the packet reaches. */
const CARRIES_IPV4 = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4']);

/** Classifies an IPv4 or IPv6 address; IPv6 forms that carry an IPv4 address are judged by it. */
export function classifyAddress(address: string): AddressKind {
  const text = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(text)) return 'reserved';
  const ip = ipaddr.parse(text);
  if (ip.kind() === 'ipv4') {
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return 'reserved';
    return KINDS[ip.range()] ?? 'reserved';
  }
  const v6 = ip as ipaddr.IPv6;
  const range = v6.range();
  const embedded = CARRIES_IPV4.has(range) ? embeddedIPv4(v6, range) : ipv4Compatible(v6);
  if (embedded) return classifyAddress(embedded);
  return KINDS[range] ?? 'reserved';
}

function embeddedIPv4(ip: ipaddr.IPv6, range: string): string {
  const p = ip.parts;
  const [hi, lo] = range === '6to4' ? [p[1]!, p[2]!] : [p[6]!, p[7]!];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The deprecated IPv4-compatible form ::a.b.c.d (RFC 4291 §2.5.5.1), which some stacks still route. */
function ipv4Compatible(ip: ipaddr.IPv6): string | undefined {
  const p = ip.parts;
  if (!p.slice(0, 6).every((w) => w === 0) || (p[6] === 0 && p[7]! <= 1)) return undefined;
  return embeddedIPv4(ip, 'compatible');
}
