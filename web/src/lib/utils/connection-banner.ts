/**
 * @module web/utils/connection-banner
 * What the wall's connection banner says (pure, no I/O): nothing while the stream is live, else
 * reconnecting (since when, the next attempt), offline, the server restarting, or resynchronising,
 * once the stream has been down longer than {@link STREAM_GRACE_MS} (a blip shows nothing, as it
 * greys nothing). Reasons and texts per language; the wall's component only draws them.
 *
 * @example
 * connectionBanner({ connection: 'reconnecting', synced: false, downSince: t0, lostBy: 'network', nextAttemptAt: t0 + 8000 }, t0 + 6000)
 * // { kind: 'reconnecting', since: t0, nextAttemptAt: t0 + 8000 }
 */
import { STREAM_GRACE_MS, type StaleReason } from './data-age.ts';
import { t, type Lang, type StringKey } from './i18n.ts';

export type BannerKind = 'reconnecting' | 'offline' | 'restarting' | 'resyncing';

export interface Banner {
  kind: BannerKind;
  /** local ms since when the stream is down */
  since: number;
  /** local ms of the next reconnection attempt (0: unknown, or under way) */
  nextAttemptAt: number;
}

export interface BannerFacts {
  connection: 'connecting' | 'connected' | 'reconnecting' | 'offline';
  synced: boolean;
  /** local ms since when the stream is not live; 0 while live or before it ever was */
  downSince: number;
  lostBy: 'network' | 'server' | null;
  nextAttemptAt: number;
}

/** The banner to show at `localNow`, or null. */
export function connectionBanner(f: BannerFacts, localNow: number): Banner | null {
  if (f.connection === 'connected' && f.synced) return null;
  if (!f.downSince || localNow - f.downSince <= STREAM_GRACE_MS) return null;
  const kind: BannerKind =
    f.connection === 'connected' ? 'resyncing' : f.connection === 'offline' && f.lostBy !== 'server' ? 'offline' : f.lostBy === 'server' ? 'restarting' : 'reconnecting';
  return { kind, since: f.downSince, nextAttemptAt: kind === 'resyncing' ? 0 : f.nextAttemptAt };
}

const HEADLINES: Record<BannerKind, StringKey> = {
  reconnecting: 'bannerReconnecting',
  offline: 'bannerOffline',
  restarting: 'bannerRestarting',
  resyncing: 'bannerResyncing',
};

/**
 * The banner's text: the headline, since when (the time as `sinceText`, in the centre's zone,
 * formatted by the caller) and the next attempt in whole seconds.
 */
export function bannerText(b: Banner, sinceText: string, localNow: number, lang: Lang): { headline: string; detail: string } {
  const parts = [t(lang, 'bannerSince').replace('{t}', sinceText)];
  if (b.kind !== 'resyncing') {
    if (b.nextAttemptAt > localNow) parts.push(t(lang, 'bannerNextAttempt').replace('{n}', String(Math.ceil((b.nextAttemptAt - localNow) / 1000))));
    else if (b.kind !== 'offline') parts.push(t(lang, 'bannerAttemptNow'));
  }
  return { headline: t(lang, HEADLINES[b.kind]), detail: parts.join(' · ') };
}

const REASON_NAMES: Record<StaleReason, StringKey> = {
  source_silent: 'staleSourceSilent',
  connection_lost: 'staleConnectionLost',
  server_restarting: 'staleServerRestarting',
  resyncing: 'staleResyncing',
  not_updating: 'staleNotUpdating',
};

/** A stale widget's reason, e.g. 连接中断 / connection lost. */
export function staleReasonText(reason: StaleReason, lang: Lang): string {
  return t(lang, REASON_NAMES[reason]);
}
