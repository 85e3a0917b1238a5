/**
 * @module web/components/admin/admin-errors
 * What the admin page says when the server refuses something: its validation issues field by
 * field, a taken username, a missing right, or its message.
 */
import { HttpError } from '../../api/http.ts';
import { t, type Lang } from '../../utils/i18n.ts';

/** A one-line explanation of a failed admin call (rendered as text). */
export function describeError(err: unknown, lang: Lang): string {
  if (!(err instanceof HttpError)) return `${t(lang, 'actionFailed')}: ${t(lang, 'networkError')}`;
  if (err.status === 409) return t(lang, 'usernameTaken');
  if (err.status === 403) return t(lang, 'forbiddenPage');
  if (err.issues.length > 0) return err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return `${t(lang, 'actionFailed')} (${err.status})${err.serverMessage ? `: ${err.serverMessage}` : ''}`;
}
