/**
 * @module server/domain/addresses
 * Client addresses as throttles count them.
 */
import { isIP } from 'node:net';

/** an IPv6 address as its eight hextets (`::` expanded), or null */
function ipv6Hextets(a: string): number[] | null {
  if (isIP(a) !== 6) return null;
  let s = a.split('%')[0]!;
  // a dotted IPv4 tail (::ffff:1.2.3.4) as two hextets
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [b1, b2, b3, b4] = v4.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, v4.index)}${((b1 << 8) | b2).toString(16)}:${((b3 << 8) | b4).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t].map((x) => parseInt(x, 16));
  return all.length === 8 && all.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? all : null;
}

/**
 * What a per-address limit counts a client under: an IPv4 address as it is, an IPv6 address by
 * its /64 (one host is commonly given a whole /64, so counting single addresses would give it
 * endless fresh ones).
 * @example throttleKey('2001:db8:1:2::7') // '2001:db8:1:2::/64'
 */
export function throttleKey(address: string): string {
  const h = ipv6Hextets(address);
  return h ? `${h.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64` : address;
}
