/**
 * @module web/api/displays
 * Wall displays' scenes: an admin's read and save of a display's playlist and layout, and the
 * officers' list of displays in their scope with pause/resume of a display's rotation. Answers are
 * checked with the shared schemas.
 */
import { DisplayConfig, type DisplayConfigSave, type RotationRequest } from '../../../../shared/index.ts';
import { getJson, sendJson, validItems } from './http.ts';

const id = (s: string) => encodeURIComponent(s);

function parse(raw: unknown): DisplayConfig {
  const r = DisplayConfig.safeParse(raw);
  if (!r.success) throw new Error(`display configuration: ${r.error.issues[0]?.message ?? 'invalid answer'}`);
  return r.data;
}

/** `GET /api/v1/admin/displays/:id/config` (admins) */
export async function fetchDisplayConfig(displayId: string, signal?: AbortSignal): Promise<DisplayConfig> {
  return parse(await getJson(`/api/v1/admin/displays/${id(displayId)}/config`, signal));
}

/** `PUT /api/v1/admin/displays/:id/config` (admins): saved, and pushed to the display's walls */
export async function saveDisplayConfig(displayId: string, body: DisplayConfigSave): Promise<DisplayConfig> {
  return parse(await sendJson('PUT', `/api/v1/admin/displays/${id(displayId)}/config`, body));
}

/** `GET /api/v1/displays`: the displays within the session's scope */
export async function listScopeDisplays(signal?: AbortSignal): Promise<DisplayConfig[]> {
  return validItems(DisplayConfig, await getJson('/api/v1/displays', signal), 'display');
}

/** `POST /api/v1/displays/:id/rotation`: pause for some minutes (null: until resumed), or resume */
export async function setRotation(displayId: string, req: RotationRequest): Promise<DisplayConfig> {
  return parse(await sendJson('POST', `/api/v1/displays/${id(displayId)}/rotation`, req));
}
