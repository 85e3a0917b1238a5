import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DisplayEnrolRequest, type SessionInfo } from '../../shared/index.ts';
import { HttpError } from '../../web/src/lib/api/http.ts';
import { enrolDisplay, enrolRefusal, type EnrolResult } from '../../web/src/lib/api/session.ts';
import { answerEnrolment, askedName, startEnrolment, type EnrolDeps } from '../../web/src/lib/state/display-enrol.ts';
import { displayQuestion, displayQuestionHint } from '../../web/src/lib/utils/i18n.ts';

const TOKEN = 'a'.repeat(43);
const officer: SessionInfo = { kind: 'user', name: 'wang.li', role: 'district', areaId: '310110', expiresAt: '2026-11-22T20:00:00.000Z' };
const display: SessionInfo = { kind: 'display', name: '五角场大屏', role: 'wall', areaId: '310110019000', expiresAt: '2027-11-22T08:00:00.000Z' };
const EXISTS_MSG = 'this browser is signed in as wang.li';
const USED_MSG = 'this display link was used already; an admin must make a new one';
const EXISTS: EnrolResult = { ok: false, reason: 'sessionExists', message: EXISTS_MSG };
const USED: EnrolResult = { ok: false, reason: 'refused', message: USED_MSG };

/** Fakes of the two calls, recording what was asked. */
function fakes(answers: EnrolResult[], who: SessionInfo | null | Error = officer) {
  const posts: { token: string; replace: boolean }[] = [];
  let sessionLookups = 0;
  const deps: EnrolDeps = {
    async enrol(token, replace) {
      posts.push({ token, replace });
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next;
    },
    async whoIsSignedIn() {
      sessionLookups++;
      if (who instanceof Error) throw who;
      return who;
    },
  };
  return { deps, posts, lookups: () => sessionLookups };
}

describe(enrolRefusal.name, () => {
  it.each([
    [new HttpError(409, '/x', 'SESSION_EXISTS', 'signed in as wang.li'), { ok: false, reason: 'sessionExists', message: 'signed in as wang.li' }],
    [new HttpError(401, '/x', 'UNAUTHORIZED', 'used already'), { ok: false, reason: 'refused', message: 'used already' }],
    [new HttpError(400, '/x', 'VALIDATION', 'too short'), { ok: false, reason: 'refused', message: 'too short' }],
    [new HttpError(403, '/x', 'FORBIDDEN', ''), { ok: false, reason: 'refused', message: '' }],
  ])('should read %s', (err, expected) => {
    expect(enrolRefusal(err)).toEqual(expected);
  });
  it.each([
    ['a 409 of another kind', new HttpError(409, '/x', 'CONFLICT', '')],
    ['a server error', new HttpError(503, '/x', 'UNAVAILABLE', '')],
    ['a network failure', new TypeError('Failed to fetch')],
  ])('should leave %s to the retry', (_what, err) => {
    expect(enrolRefusal(err)).toBeNull();
  });
});

describe(enrolDisplay.name, () => {
  let bodies: unknown[];
  let reply: () => Response;
  beforeEach(() => {
    bodies = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return reply();
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('should post the token alone first, and replace only when told', async () => {
    reply = () => json(200, display);
    expect(await enrolDisplay(TOKEN)).toEqual({ ok: true, session: display });
    expect(await enrolDisplay(TOKEN, true)).toEqual({ ok: true, session: display });
    expect(bodies).toEqual([{ token: TOKEN }, { token: TOKEN, replace: true }]);
    // both bodies are what the server's schema accepts
    for (const b of bodies) expect(DisplayEnrolRequest.safeParse(b).success).toBe(true);
  });
  it("should report the server's 409 SESSION_EXISTS and 401 with their messages", async () => {
    reply = () => json(409, { error: { code: 'SESSION_EXISTS', message: EXISTS_MSG } });
    expect(await enrolDisplay(TOKEN)).toEqual(EXISTS);
    reply = () => json(401, { error: { code: 'UNAUTHORIZED', message: USED_MSG } });
    expect(await enrolDisplay(TOKEN)).toEqual(USED);
  });
  it('should throw on a server error, for the caller to retry', async () => {
    reply = () => json(500, { error: { code: 'INTERNAL', message: 'internal error' } });
    await expect(enrolDisplay(TOKEN)).rejects.toBeInstanceOf(HttpError);
  });
});

describe(startEnrolment.name, () => {
  it('should enrol at once where nobody is signed in, never asking and never replacing', async () => {
    const f = fakes([{ ok: true, session: display }]);
    expect(await startEnrolment(TOKEN, f.deps)).toEqual({ kind: 'enrolled', session: display });
    expect(f.posts).toEqual([{ token: TOKEN, replace: false }]);
    expect(f.lookups()).toBe(0);
  });
  it('should ask the person signed in, by name, before anything is replaced', async () => {
    const f = fakes([EXISTS]);
    const step = await startEnrolment(TOKEN, f.deps);
    expect(step).toEqual({ kind: 'ask', signedInAs: officer, serverMessage: EXISTS_MSG });
    expect(f.posts).toEqual([{ token: TOKEN, replace: false }]);
    expect(askedName(step as Extract<typeof step, { kind: 'ask' }>)).toBe('wang.li');
  });
  it("should still ask, with the server's words, when the session cannot be read", async () => {
    const step = await startEnrolment(TOKEN, fakes([EXISTS], new Error('offline')).deps);
    expect(step).toMatchObject({ kind: 'ask', signedInAs: null, serverMessage: EXISTS_MSG });
    expect(askedName(step as Extract<typeof step, { kind: 'ask' }>)).toBe('');
  });
  it('should refuse a used or unknown link and say why', async () => {
    const f = fakes([USED]);
    expect(await startEnrolment(TOKEN, f.deps)).toEqual({ kind: 'refused', serverMessage: USED_MSG });
    expect(f.lookups()).toBe(0);
  });
});

describe(answerEnrolment.name, () => {
  it('should post again with replace: true when told to make this screen the wall', async () => {
    const f = fakes([{ ok: true, session: display }]);
    expect(await answerEnrolment(TOKEN, 'replace', f.deps)).toEqual({ kind: 'enrolled', session: display });
    expect(f.posts).toEqual([{ token: TOKEN, replace: true }]);
  });
  it('should keep the session and leave the token unused when told so', async () => {
    const f = fakes([]);
    expect(await answerEnrolment(TOKEN, 'keep', f.deps)).toEqual({ kind: 'kept', session: officer });
    expect(f.posts).toEqual([]);
  });
  it('should send to sign-in when the kept session ended meanwhile', async () => {
    expect(await answerEnrolment(TOKEN, 'keep', fakes([], null).deps)).toEqual({ kind: 'kept', session: null });
  });
  it('should refuse, not ask again, when replacing is refused', async () => {
    const f = fakes([EXISTS]);
    expect(await answerEnrolment(TOKEN, 'replace', f.deps)).toMatchObject({ kind: 'refused' });
    const g = fakes([USED]);
    expect(await answerEnrolment(TOKEN, 'replace', g.deps)).toEqual({ kind: 'refused', serverMessage: USED_MSG });
  });
});

describe(displayQuestion.name, () => {
  it('should name who is signed in, in both languages', () => {
    expect(displayQuestion('wang.li')).toEqual({ zh: '此浏览器已由 wang.li 登录，要把它变成大屏吗？', en: 'This browser is signed in as wang.li. Turn it into the wall display?' });
    expect(displayQuestionHint('wang.li')).toContain("replaces wang.li's session");
    expect(displayQuestion('').en).toBe('Someone is signed in in this browser. Turn it into the wall display?');
  });
});
