/**
 * @module web/api/tasks
 * Tasks on the map (挂图作战): the list of a scope (`GET /api/v1/tasks`), a task with its log, creating
 * one and acting on one. Answers are checked with the shared schemas.
 */
import type { z } from 'zod';
import { TasksResponse, TaskView, type TaskAction, type TaskCreate, type TaskQuery } from '../../../../shared/index.ts';
import { getJson, sendParsed } from './http.ts';

export type { Task, TasksResponse, TaskView } from '../../../../shared/index.ts';

function parsed<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(`${what}: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'unexpected answer'}`);
  return r.data;
}

export function tasksQuery(q: Partial<TaskQuery>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

export async function fetchTasks(q: Partial<TaskQuery>, signal?: AbortSignal): Promise<TasksResponse> {
  return parsed(TasksResponse, await getJson(`/api/v1/tasks?${tasksQuery(q)}`, signal), 'tasks');
}

export async function fetchTask(id: string, signal?: AbortSignal): Promise<TaskView> {
  return parsed(TaskView, await getJson(`/api/v1/tasks/${encodeURIComponent(id)}`, signal), 'task');
}

export type TaskResult = { ok: true; view: TaskView } | { ok: false; status: number | null; message: string };

async function send(url: string, body: unknown): Promise<TaskResult> {
  const r = await sendParsed('POST', url, body, TaskView);
  return r.ok ? { ok: true, view: r.data } : r;
}

export const createTask = (body: z.input<typeof TaskCreate>): Promise<TaskResult> => send('/api/v1/tasks', body);
export const actOnTask = (id: string, body: TaskAction): Promise<TaskResult> => send(`/api/v1/tasks/${encodeURIComponent(id)}/actions`, body);
