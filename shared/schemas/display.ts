/**
 * @module shared/schemas/display
 * A wall display's configuration: its playlist of scenes (场景轮播) and its layout, stored on the
 * server per enrolled display, edited in `/admin`, pushed live to the display's open walls
 * (`display:config`), and the pause of its rotation officers set from the console.
 *
 * Scenes: `overview` (the display's own area), `street` (one street within its scope), `loop`
 * (the closed-loop board), `alarms`, `hotline` (the 12345 analysis), `area` (a key area: for now a
 * street or a grid, zoomed on the map), `tasks` (the task board, 挂图作战), `keyAreas` (the key-area
 * board, 重点区域, the map fitted to the key areas). `street` and `area` name their `areaId`; the others take none.
 */
import { z } from 'zod';
import { IsoDateTime } from './common.ts';

export const SCENE_KINDS = ['overview', 'street', 'loop', 'alarms', 'hotline', 'area', 'tasks', 'keyAreas'] as const;
export const SceneKind = z.enum(SCENE_KINDS).meta({ id: 'SceneKind', description: 'What a scene shows.' });
export type SceneKind = z.infer<typeof SceneKind>;

/** the kinds that name an area */
export const AREA_SCENES: readonly SceneKind[] = ['street', 'area'];

/** bounds of a scene's duration, and of the playlist's length */
export const SCENE_MIN_SEC = 10;
export const SCENE_MAX_SEC = 3600;
export const MAX_SCENES = 20;

export const Scene = z
  .strictObject({
    kind: SceneKind,
    /** `street`: a street id; `area`: a street or grid id; absent for the other kinds */
    areaId: z.string().min(1).max(64).optional(),
    durationSec: z.number().int().min(SCENE_MIN_SEC).max(SCENE_MAX_SEC),
  })
  .superRefine((s, ctx) => {
    const named = AREA_SCENES.includes(s.kind);
    if (named && s.areaId === undefined) ctx.addIssue({ code: 'custom', path: ['areaId'], message: `a ${s.kind} scene names its area (areaId)` });
    if (!named && s.areaId !== undefined) ctx.addIssue({ code: 'custom', path: ['areaId'], message: `a ${s.kind} scene takes no areaId` });
  })
  .meta({ id: 'Scene', description: 'One scene of a display’s playlist, shown for `durationSec` seconds.' });
export type Scene = z.infer<typeof Scene>;

/** The screen a display drives: 1080p, 4K, a 3×1 video wall, or portrait. */
export const DISPLAY_LAYOUTS = ['1920x1080', '3840x2160', '5760x1080', '1080x1920'] as const;
export const DisplayLayout = z.enum(DISPLAY_LAYOUTS).meta({ id: 'DisplayLayout' });
export type DisplayLayout = z.infer<typeof DisplayLayout>;
export const DEFAULT_LAYOUT: DisplayLayout = '1920x1080';

/** `PUT /api/v1/admin/displays/:id/config`: the whole configuration (the last save wins; audited). */
export const DisplayConfigSave = z
  .strictObject({
    scenes: z.array(Scene).max(MAX_SCENES),
    layout: DisplayLayout,
  })
  .meta({ id: 'DisplayConfigSave', description: 'A display’s playlist (at most 20 scenes, 10–3600 s each; empty: the overview only) and layout.' });
export type DisplayConfigSave = z.infer<typeof DisplayConfigSave>;

/** A paused rotation: who paused it, when, and until when (null: until someone resumes it). */
export const RotationPause = z
  .object({
    by: z.string(),
    at: IsoDateTime,
    until: IsoDateTime.nullable(),
  })
  .meta({ id: 'RotationPause' });
export type RotationPause = z.infer<typeof RotationPause>;

/** A display's configuration as the server keeps it (a display never configured has the defaults). */
export const DisplayConfig = z
  .object({
    displayId: z.string(),
    name: z.string(),
    /** the display's own area (its `overview`) */
    areaId: z.string(),
    scenes: z.array(Scene),
    layout: DisplayLayout,
    /** null: rotating (a pause whose `until` has passed counts as none) */
    pause: RotationPause.nullable(),
    /** the last save of the playlist (null: never configured) */
    updatedAt: IsoDateTime.nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'DisplayConfig', description: 'A display’s playlist of scenes, its layout and the pause of its rotation.' });
export type DisplayConfig = z.infer<typeof DisplayConfig>;

/** `GET /api/v1/displays`: the displays within the caller's scope (not revoked), for the console. */
export const DisplayConfigList = z.array(DisplayConfig).meta({ id: 'DisplayConfigList' });
export type DisplayConfigList = z.infer<typeof DisplayConfigList>;

/** longest pause with an end (7 days); longer: pause until resumed */
export const MAX_PAUSE_MINUTES = 7 * 24 * 60;

/** `POST /api/v1/displays/:id/rotation`: pause for some minutes (null: until resumed), or resume. */
export const RotationRequest = z
  .discriminatedUnion('action', [
    z.strictObject({ action: z.literal('pause'), minutes: z.number().int().min(1).max(MAX_PAUSE_MINUTES).nullable() }),
    z.strictObject({ action: z.literal('resume') }),
  ])
  .meta({ id: 'RotationRequest', description: '`pause` for `minutes` (null: until resumed), or `resume`.' });
export type RotationRequest = z.infer<typeof RotationRequest>;
