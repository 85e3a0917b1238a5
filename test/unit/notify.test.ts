/**
 * The pure part of notifications out: matching, masking, plain text, the three wire formats with
 * their signatures (checked here independently, as a receiver would), answers and the retry schedule.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AreaTree } from '../../server/domain/areas.ts';
import {
  DEFAULT_RETRY_SCHEDULE_MS,
  WECOM_MAX_BYTES,
  capBytes,
  channelMatches,
  dingtalkRequest,
  dingtalkSign,
  judgeAnswer,
  maskUrl,
  nextDelay,
  plainText,
  retryAfterMs,
  webhookRequest,
  wecomRequest,
  type NoticePayload,
} from '../../server/domain/notify.ts';
import { breachNotice } from '../../server/services/case.service.ts';
import { ChannelCreate, ChannelUpdate, Notice, channelUrlProblem, type GridEvent } from '../../shared/index.ts';
import { shippedData } from '../helpers/server.ts';

const tree = new AreaTree(shippedData().areas);
const WJC = '310110019000';
const wjcGrid = tree.children(WJC)[0]!.id;
const otherStreet = tree.children('310110').find((s) => s.id !== WJC)!.id;
const otherGrid = tree.children(otherStreet)[0]!.id;

const notice = (over: Partial<NoticePayload> = {}): NoticePayload => ({
  key: 'breach:abc:reported:1',
  kind: 'breach',
  severity: 'warn',
  areaId: wjcGrid,
  title: { zh: '受理超时：消防通道堵塞', en: 'Acceptance overdue: fire lane blocked' },
  text: { zh: '案件 abc 受理环节已超过时限。', en: 'Case abc is past its time limit.' },
  at: Date.UTC(2026, 10, 22, 1, 30),
  path: '/console?case=abc',
  ...over,
});
const ctx = { deliveryId: 42, areaName: { zh: '五角场', en: 'Wujiaochang' }, publicUrl: 'https://ops.yangpu.example', now: Date.UTC(2026, 10, 22, 1, 31, 7, 250) };

describe('channelMatches', () => {
  type Ch = Parameters<typeof channelMatches>[1];
  const ch = (over: Partial<Ch> = {}): Ch => ({ enabled: true, kinds: ['alarm', 'breach'], minSeverity: 'warn', areaId: WJC, ...over });

  it.each([
    ['a grid below the street', ch(), notice(), true],
    ['the street itself', ch(), notice({ areaId: WJC }), true],
    ['a district channel, a grid below it', ch({ areaId: '310110' }), notice(), true],
    ['another street’s grid', ch(), notice({ areaId: otherGrid }), false],
    ['the district, above the channel’s street', ch(), notice({ areaId: '310110' }), false],
    ['an unknown area', ch(), notice({ areaId: 'constructor' }), false],
    ['a kind the channel does not take', ch({ kinds: ['alarm'] }), notice(), false],
    ['a warning to an alarm-only channel', ch({ minSeverity: 'alarm' }), notice(), false],
    ['an alarm to an alarm-only channel', ch({ minSeverity: 'alarm' }), notice({ severity: 'alarm' }), true],
    ['a disabled channel', ch({ enabled: false }), notice(), false],
    ['a test (sent only on purpose)', ch(), notice({ kind: 'test' }), false],
  ])('should decide %s', (_what, c, n, expected) => {
    expect(channelMatches(tree, c, n)).toBe(expected);
  });
});

describe('maskUrl', () => {
  it('should mask every query value, showing at most the last four characters of long ones', () => {
    const key = '693a91f6-7d2c-4bc4-97a0-0ec2b1fa5aaa';
    const masked = maskUrl(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`);
    expect(masked).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=••••5aaa');
    expect(masked).not.toContain(key.slice(0, 20));
    expect(maskUrl('https://oapi.dingtalk.com/robot/send?access_token=short')).toBe('https://oapi.dingtalk.com/robot/send?access_token=••••');
  });

  it('should mask token-like path parts and keep the rest', () => {
    expect(maskUrl('https://hooks.example.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX')).toBe('https://hooks.example.com/services/T0001/B0002/••••XXXX');
    expect(maskUrl('http://10.1.2.3:8080/onescreen/hook')).toBe('http://10.1.2.3:8080/onescreen/hook');
    expect(maskUrl('not a url')).toBe('••••');
  });
});

describe('channel URLs and secrets', () => {
  it.each([
    ['ftp://example.com/x', 'must be an http: or https: URL'],
    ['javascript:alert(1)', 'must be an http: or https: URL'],
    ['http://', 'must be an absolute http(s) URL'],
    ['/relative/path', 'must be an absolute http(s) URL'],
    ['https://user:pw@example.com/hook', 'must not carry a user name or password (put a key in the query, or use the secret)'],
    ['https://example.com/hook#x', 'must not carry a #fragment'],
  ])('should refuse %s', (url, problem) => {
    expect(channelUrlProblem(url)).toBe(problem);
    expect(ChannelCreate.safeParse({ name: 'x', kind: 'wecom', url, areaId: WJC }).success).toBe(false);
  });

  it('should take http and https URLs, and default the rest of a channel', () => {
    expect(channelUrlProblem('http://127.0.0.1:9000/hook')).toBeNull();
    expect(ChannelCreate.parse({ name: ' 值班群 ', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', areaId: WJC })).toEqual({
      name: '值班群', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', areaId: WJC, minSeverity: 'warn', kinds: ['alarm', 'alarm_cleared', 'breach', 'task'], enabled: true,
    });
  });

  it('should require a webhook’s secret, and refuse unknown fields, repeated kinds and a huge URL', () => {
    const base = { name: 'x', kind: 'webhook', url: 'https://example.com/hook', areaId: WJC };
    expect(ChannelCreate.safeParse(base).error?.issues[0]?.path).toEqual(['secret']);
    expect(ChannelCreate.safeParse({ ...base, secret: 'long-enough-secret' }).success).toBe(true);
    expect(ChannelCreate.safeParse({ ...base, secret: 'long-enough-secret', constructor: 1 }).success).toBe(false);
    expect(ChannelCreate.safeParse({ ...base, secret: 'long-enough-secret', kinds: ['alarm', 'alarm'] }).success).toBe(false);
    expect(ChannelCreate.safeParse({ ...base, secret: 'long-enough-secret', url: `https://example.com/${'a'.repeat(2000)}` }).success).toBe(false);
    expect(ChannelUpdate.safeParse({ kind: 'wecom' }).success).toBe(false);
    expect(ChannelUpdate.parse({ secret: null })).toEqual({ secret: null });
  });
});

describe('plainText', () => {
  it('should keep markdown, HTML, links and mentions out of a robot message', () => {
    const hostile = '**紧急** [点此](http://evil.example) <font color="warning">x</font> <@all> # 标题\n> 引用 `code` ![img](x)';
    const out = plainText(hostile, 200);
    expect(out).not.toMatch(/[*[\]()<>#`!\n]/);
    expect(out).not.toContain('://');
    expect(out).toContain('紧急');
  });

  it('should drop control and direction characters and cap the length by characters', () => {
    expect(plainText('a\u0000b\u202ec\u200bd', 10)).toBe('abcd');
    expect(plainText('消防'.repeat(100), 11)).toBe(`${'消防'.repeat(5)}…`);
    expect([...plainText('🚒'.repeat(50), 10)]).toHaveLength(10);
  });

  it('should cut UTF-8 by bytes on a character boundary', () => {
    const s = '消'.repeat(2000);
    const cut = capBytes(s, 4096);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(4096);
    expect(cut.endsWith('…')).toBe(true);
    expect(capBytes('short', 4096)).toBe('short');
  });
});

describe('the generic webhook', () => {
  const secret = 'whsec-0123456789abcdef';

  it('should send the notice as JSON, signed over timestamp "." body, verifiable by a receiver', () => {
    const req = webhookRequest('https://hooks.example/onescreen', secret, notice(), ctx);
    expect(req.url).toBe('https://hooks.example/onescreen');
    expect(req.headers['content-type']).toBe('application/json');
    const ts = req.headers['x-onescreen-timestamp']!;
    expect(ts).toBe(String(Math.floor(ctx.now / 1000)));
    // the receiver's side, written out without our helper
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex')}`);
    const given = Buffer.from(req.headers['x-onescreen-signature']!);
    expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true);
    expect(JSON.parse(req.body)).toEqual({
      id: 42,
      key: 'breach:abc:reported:1',
      kind: 'breach',
      severity: 'warn',
      areaId: wjcGrid,
      areaName: { zh: '五角场', en: 'Wujiaochang' },
      title: notice().title,
      text: notice().text,
      at: '2026-11-22T01:30:00.000Z',
      url: 'https://ops.yangpu.example/console?case=abc',
    });
  });

  it('should give no link without a public URL, and a different signature for a changed body', () => {
    const a = webhookRequest('https://h.example/', secret, notice(), { ...ctx, publicUrl: undefined });
    expect(JSON.parse(a.body).url).toBeNull();
    const b = webhookRequest('https://h.example/', secret, notice({ key: 'other' }), { ...ctx, publicUrl: undefined });
    expect(b.headers['x-onescreen-signature']).not.toBe(a.headers['x-onescreen-signature']);
  });
});

describe('the WeCom group robot', () => {
  it('should post a markdown message with plain-text titles and a link', () => {
    const req = wecomRequest('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', notice({ severity: 'alarm', title: { zh: '超时：[钓鱼](http://x.example) **粗**', en: 'Overdue <@all>' } }), ctx);
    expect(req.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k');
    const body = JSON.parse(req.body);
    expect(Object.keys(body)).toEqual(['msgtype', 'markdown']);
    expect(body.msgtype).toBe('markdown');
    const content: string = body.markdown.content;
    expect(content).toContain('<font color="warning">【告警·超时】</font>');
    expect(content).toContain('五角场');
    expect(content).toContain('[查看详情 / Open](https://ops.yangpu.example/console?case=abc)');
    expect(content).not.toContain('](http://x.example)');
    expect(content).not.toContain('<@all>');
    expect(content).not.toContain('**粗**');
  });

  it('should keep the content within WeCom’s 4096 bytes', () => {
    const long = notice({ title: { zh: '长'.repeat(5000), en: 'L'.repeat(5000) }, text: { zh: '文'.repeat(5000), en: 'T'.repeat(5000) } });
    const content: string = JSON.parse(wecomRequest('https://q.example/', long, ctx).body).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECOM_MAX_BYTES);
  });
});

describe('the DingTalk custom robot', () => {
  const secret = 'SECabcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567';

  it('should sign as DingTalk documents: base64 HMAC-SHA256(secret, timestamp "\\n" secret), URL-encoded', () => {
    const ts = 1_700_000_000_123;
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${ts}\n${secret}`, 'utf8')).digest('base64');
    expect(dingtalkSign(secret, ts)).toBe(expected);
    const req = dingtalkRequest('https://oapi.dingtalk.com/robot/send?access_token=tok', secret, notice(), { ...ctx, now: ts });
    const u = new URL(req.url);
    expect(u.searchParams.get('access_token')).toBe('tok');
    expect(u.searchParams.get('timestamp')).toBe(String(ts));
    expect(u.searchParams.get('sign')).toBe(expected);
    // the raw query carries the sign percent-encoded (+, / and = of base64 included)
    expect(req.url).toContain(`&sign=${encodeURIComponent(expected)}`);
  });

  it('should post markdown with a title and text, unsigned without a secret', () => {
    const req = dingtalkRequest('https://oapi.dingtalk.com/robot/send?access_token=tok', null, notice(), ctx);
    expect(req.url).toBe('https://oapi.dingtalk.com/robot/send?access_token=tok');
    const body = JSON.parse(req.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('【预警·超时】受理超时：消防通道堵塞');
    expect(body.markdown.text).toContain('Acceptance overdue: fire lane blocked');
  });
});

describe('judgeAnswer', () => {
  it.each([
    ['webhook', 200, '', { ok: true }],
    ['webhook', 204, '', { ok: true }],
    ['webhook', 500, 'boom', { ok: false, retry: true }],
    ['webhook', 503, '', { ok: false, retry: true }],
    ['webhook', 408, '', { ok: false, retry: true }],
    ['webhook', 429, '', { ok: false, retry: true }],
    ['webhook', 400, 'bad', { ok: false, retry: false }],
    ['webhook', 404, '', { ok: false, retry: false }],
    ['webhook', 302, '', { ok: false, retry: false }],
    ['wecom', 200, '{"errcode":0,"errmsg":"ok"}', { ok: true }],
    ['wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', { ok: false, retry: true }],
    ['wecom', 200, '{"errcode":93000,"errmsg":"invalid webhook url"}', { ok: false, retry: false }],
    ['wecom', 200, 'not json', { ok: false, retry: true }],
    ['dingtalk', 200, '{"errcode":0,"errmsg":"ok"}', { ok: true }],
    ['dingtalk', 200, '{"errcode":130101,"errmsg":"send too fast"}', { ok: false, retry: true }],
    ['dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}', { ok: false, retry: false }],
  ] as const)('should judge %s %i %s', (kind, status, body, expected) => {
    expect(judgeAnswer(kind, status, body)).toMatchObject(expected);
  });

  it('should name the robot’s error, and carry a 429’s Retry-After', () => {
    expect(judgeAnswer('wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}')).toMatchObject({ status: 200, error: 'errcode 45009: api freq out of limit' });
    expect(judgeAnswer('webhook', 429, '', 7000)).toMatchObject({ retry: true, retryAfterMs: 7000 });
    expect(retryAfterMs('120', 0)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:01:00 GMT', 0)).toBe(60_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });
});

describe('nextDelay', () => {
  it('should follow the schedule 30 s, 2 min, 10 min, 30 min, 2 h, then give up', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => nextDelay(n, DEFAULT_RETRY_SCHEDULE_MS, 0.5))).toEqual([30_000, 120_000, 600_000, 1_800_000, 7_200_000, null]);
  });

  it('should spread each delay by ±20 % at most', () => {
    expect(nextDelay(1, DEFAULT_RETRY_SCHEDULE_MS, 0)).toBe(24_000);
    expect(nextDelay(1, DEFAULT_RETRY_SCHEDULE_MS, 0.999999)).toBeCloseTo(36_000, -1);
    for (let r = 0; r < 1; r += 0.05) {
      const d = nextDelay(3, DEFAULT_RETRY_SCHEDULE_MS, r)!;
      expect(d).toBeGreaterThanOrEqual(480_000);
      expect(d).toBeLessThanOrEqual(720_000);
    }
  });

  it('should wait at least a Retry-After, up to a day', () => {
    expect(nextDelay(1, DEFAULT_RETRY_SCHEDULE_MS, 0.5, 0.2, 90_000)).toBe(90_000);
    expect(nextDelay(1, DEFAULT_RETRY_SCHEDULE_MS, 0.5, 0.2, 10 * 86_400_000)).toBe(86_400_000);
    expect(nextDelay(1, DEFAULT_RETRY_SCHEDULE_MS, 0.5, 0.2, 1000)).toBe(30_000);
  });
});

describe('breachNotice', () => {
  const ev = {
    id: '0f4c3a3e-1111-4222-8333-944455556666', title: '消防通道堵塞', category: 'fire_hazard', gridId: wjcGrid, severity: 'critical', status: 'dispatched',
    escalated: false, stageStartedAt: '2026-11-22T01:00:00.000Z',
  } as GridEvent;

  it('should make a valid notice keyed by the case, its stage and when the stage began', () => {
    const n = breachNotice(ev, Date.UTC(2026, 10, 22, 3));
    expect(Notice.parse(n)).toEqual(n);
    expect(n).toMatchObject({ key: `breach:${ev.id}:dispatched:${Date.UTC(2026, 10, 22, 1)}`, kind: 'breach', severity: 'alarm', areaId: wjcGrid, path: `/console?case=${ev.id}` });
    expect(n.title.zh).toBe('处置超时：消防通道堵塞');
    expect(n.text.zh).toContain('已上报区级');
    expect(breachNotice({ ...ev, severity: 'medium' }, 0).severity).toBe('warn');
  });

  it("should name neither a confidential case's title nor its category, and tell the district's channels only", () => {
    const n = breachNotice({ ...ev, confidential: true, districtId: '310110' }, 0);
    expect(Notice.parse(n)).toEqual(n);
    expect(n).toMatchObject({ areaId: '310110', title: { zh: '处置超时：涉密事件' }, severity: 'alarm' });
    expect(JSON.stringify(n)).not.toContain('消防通道堵塞');
    expect(JSON.stringify(n)).not.toContain(ev.category);
  });
});
