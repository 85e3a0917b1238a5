import { describe, expect, it } from 'vitest';
import { throttleKey } from '../../server/domain/addresses.ts';
import { clientAddress, expectedOrigin, originAllowed } from '../../server/middleware/network.ts';

describe('clientAddress', () => {
  it('should believe no forwarded header without trusted hops', () => {
    expect(clientAddress('10.0.0.2', '203.0.113.7', 0)).toBe('10.0.0.2');
  });
  it('should take the address the trusted proxy appended, not what the client forged before it', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.66, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('127.0.0.1', ['198.51.100.66', '203.0.113.7, 10.1.1.1'], 2)).toBe('203.0.113.7');
  });
  it('should fall back to the furthest address known when fewer hops are present than trusted', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.7', 3)).toBe('203.0.113.7');
    expect(clientAddress('127.0.0.1', undefined, 1)).toBe('127.0.0.1');
  });
  it('should unwrap IPv4-mapped addresses and cut junk short', () => {
    expect(clientAddress('::ffff:127.0.0.1', undefined, 0)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', `x${'y'.repeat(200)}`, 1)).toHaveLength(64);
  });
});

describe('expectedOrigin', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it('should be PUBLIC_URL when set, whatever the headers say', () => {
    expect(expectedOrigin({ publicUrl: 'https://ops.example', trustProxy: 1 }, h({ host: 'internal:8080', 'x-forwarded-proto': 'http' }))).toBe('https://ops.example');
  });
  it('should follow trusted X-Forwarded-Proto/-Host, else plain http and the Host header', () => {
    expect(expectedOrigin({ trustProxy: 1 }, h({ host: 'ops.example', 'x-forwarded-proto': 'https' }))).toBe('https://ops.example');
    expect(expectedOrigin({ trustProxy: 1 }, h({ host: '127.0.0.1:8080', 'x-forwarded-host': 'ops.example', 'x-forwarded-proto': 'https' }))).toBe('https://ops.example');
    expect(expectedOrigin({ trustProxy: 0 }, h({ host: 'ops.example', 'x-forwarded-proto': 'https' }))).toBe('http://ops.example');
  });
});

describe('originAllowed', () => {
  const opts = { publicUrl: 'https://ops.example', trustProxy: 1 };
  const cases: [Record<string, string>, boolean, string][] = [
    [{}, true, 'a program (no browser headers)'],
    [{ 'sec-fetch-site': 'same-origin', origin: 'https://other.example' }, true, 'the browser says same-origin'],
    [{ origin: 'https://ops.example' }, true, 'our own origin'],
    [{ origin: 'https://evil.example' }, false, 'another origin'],
    [{ 'sec-fetch-site': 'same-site', origin: 'https://evil.ops.example' }, false, 'a sibling site'],
    [{ 'sec-fetch-site': 'cross-site' }, false, 'cross-site'],
    [{ 'sec-fetch-site': 'none', origin: 'https://ops.example' }, true, 'typed by the user'],
    [{ origin: 'null' }, false, 'an opaque origin'],
  ];
  it.each(cases)('%j → %s (%s)', (headers, allowed) => {
    expect(originAllowed(opts, new Headers(headers))).toBe(allowed);
    expect(originAllowed(opts, { ...headers })).toBe(allowed); // node's IncomingHttpHeaders too (sockets)
  });
});

describe('throttleKey', () => {
  it('should count an IPv4 address as itself and an IPv6 address by its /64', () => {
    expect(throttleKey('198.51.100.7')).toBe('198.51.100.7');
    expect(throttleKey('2001:db8:1:2::7')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('2001:0db8:0001:0002:ffff:0:0:1')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('::1')).toBe('0:0:0:0::/64');
    expect(throttleKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(throttleKey('-')).toBe('-');
  });
});
