/**
 * The console's alarm calls (web/api/alarms.ts) against a stubbed fetch: the body sent (the
 * version seen and the note), and refusals returned as values — a 409 as a conflict with the
 * server's message, a 400 with its issues, a network failure without a status.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acknowledgeAlarm, fetchAlarms, openAlarmCase } from '../../web/src/lib/api/alarms.ts';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('alarm API client', () => {
  it('should send the version seen and the note, and return a 409 as a conflict', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return json(409, { error: { code: 'CONFLICT', message: 'already acknowledged by street-1' } });
    });
    const r = await acknowledgeAlarm('a/1', 3, '已联系');
    expect(r).toEqual({ ok: false, kind: 'conflict', message: 'already acknowledged by street-1' });
    expect(calls[0]!.url).toBe('/api/v1/alarms/a%2F1/ack');
    expect(calls[0]!.init.method).toBe('POST');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ version: 3, note: '已联系' });
    expect((calls[0]!.init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('should return refusals with their issues, and failures without a status', async () => {
    vi.stubGlobal('fetch', async () => json(400, { error: { code: 'VALIDATION', message: 'bad', issues: [{ path: 'note', message: 'too long' }] } }));
    expect(await openAlarmCase('x', 'n')).toEqual({ ok: false, kind: 'refused', status: 400, message: 'bad — note: too long' });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await openAlarmCase('x', '')).toEqual({ ok: false, kind: 'refused', status: null, message: 'Failed to fetch' });
  });

  it('should drop an alarm that fails its schema and keep the rest', async () => {
    let asked = '';
    vi.stubGlobal('fetch', async (url: string) => {
      asked = url;
      return json(200, { alarms: [{ id: 'broken' }], total: 1 });
    });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await fetchAlarms({ status: 'cleared', limit: 50 })).toEqual({ alarms: [], total: 1 });
    expect(asked).toBe('/api/v1/alarms?status=cleared&limit=50');
  });
});
