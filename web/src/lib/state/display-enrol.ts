/**
 * @module web/state/display-enrol
 * Enrolling a wall screen from `/?display=<token>` without ever replacing a person's session
 * unasked. The steps, with the API calls injected (the page passes the real ones wrapped in its
 * retry, tests pass fakes):
 *
 * 1. the token is posted without `replace`;
 * 2. enrolled → the screen runs as the display;
 *    refused (unknown, revoked or already used token) → say so, nothing else changes;
 *    409 `SESSION_EXISTS` (a person is signed in in this browser) → ask that person, naming them;
 * 3. "make this screen the wall" → the token is posted again with `replace: true`;
 *    "keep my session" → the person carries on, the token stays unused.
 *
 * The token leaves the address bar before any of this (the page's job, see `takeDisplayToken`).
 *
 * @example
 * let step = await startEnrolment(token, deps);
 * if (step.kind === 'ask') step = await answerEnrolment(token, 'replace', deps);
 */
import type { SessionInfo } from '../../../../shared/index.ts';
import type { EnrolResult } from '../api/session.ts';

export interface EnrolDeps {
  /** `POST /api/v1/session/display`; throws only when retrying did not help */
  enrol(token: string, replace: boolean): Promise<EnrolResult>;
  /** `GET /api/v1/session`: who is signed in, or null */
  whoIsSignedIn(): Promise<SessionInfo | null>;
}

export type EnrolStep =
  /** this browser is now the display */
  | { kind: 'enrolled'; session: SessionInfo }
  /** a person is signed in: ask before replacing their session */
  | { kind: 'ask'; signedInAs: SessionInfo | null; serverMessage: string }
  /** the link is not valid (unknown, revoked, or used already): an admin must make a new one */
  | { kind: 'refused'; serverMessage: string }
  /** the person kept their session: carry on as them (null: it ended meanwhile, sign in again) */
  | { kind: 'kept'; session: SessionInfo | null };

export type EnrolAnswer = 'replace' | 'keep';

/** Whom the question names: the person's username, else the server's own words. */
export function askedName(step: Extract<EnrolStep, { kind: 'ask' }>): string {
  return step.signedInAs?.name ?? '';
}

async function stepOf(r: EnrolResult, deps: EnrolDeps, replacing: boolean): Promise<EnrolStep> {
  if (r.ok) return { kind: 'enrolled', session: r.session };
  if (r.reason === 'refused') return { kind: 'refused', serverMessage: r.message };
  // asked again after saying "replace": the server did not take the answer; do not loop
  if (replacing) return { kind: 'refused', serverMessage: r.message };
  let signedInAs: SessionInfo | null = null;
  try {
    signedInAs = await deps.whoIsSignedIn();
  } catch {
    // the server's message names the person too
  }
  return { kind: 'ask', signedInAs: signedInAs?.kind === 'user' ? signedInAs : null, serverMessage: r.message };
}

/** Posts the token once, without replacing anything. */
export async function startEnrolment(token: string, deps: EnrolDeps): Promise<EnrolStep> {
  return stepOf(await deps.enrol(token, false), deps, false);
}

/** Acts on the person's answer to the question. */
export async function answerEnrolment(token: string, answer: EnrolAnswer, deps: EnrolDeps): Promise<EnrolStep> {
  if (answer === 'keep') return { kind: 'kept', session: await deps.whoIsSignedIn() };
  return stepOf(await deps.enrol(token, true), deps, true);
}
