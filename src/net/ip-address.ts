/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
export type IpAddress = { readonly version: 4; readonly bytes: Uint8Array } | { readonly version: 6; readonly bytes: Uint8Array };

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Strict dotted-quad IPv4 (`10.0.0.1`): four decimal parts without leading zeros. The odd forms
 * (`2130706433`, `0x7f.1`, `0177.0.0.1`) are not accepted here: the WHATWG URL parser turns them
 * into this form first, and anything else is refused as "not an address" (fail closed).
 */
export function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return { version: 4, bytes };
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      const b = v4.bytes;
      groups.push(((b[0] as number) << 8) | (b[1] as number), ((b[2] as number) << 8) | (b[3] as number));
      continue;
    }
    if (!HEX_GROUP.test(part)) return undefined;
    groups.push(parseInt(part, 16));
  }
  return groups;
}

/** IPv6 in any textual form (`::1`, `::ffff:127.0.0.1`, `fe80::1%eth0`; the zone is ignored). */
export function parseIpv6(text: string): IpAddress | undefined {
  const zoneAt = text.indexOf('%');
  const address = zoneAt >= 0 ? text.slice(0, zoneAt) : text;
  if (address.length === 0 || address.length > 45) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] as string);
    const tail = parseGroups(halves[1] as string);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(address);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return { version: 6, bytes };
}

/** Either family; `[…]` brackets (as in URL hosts) are accepted around IPv6. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return bare.includes(':') ? parseIpv6(bare) : parseIpv4(bare);
}

export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}
