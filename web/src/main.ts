/**
 * @module web/main
 * The one entry of the web: the page is chosen by the path (the server answers `index.html` for
 * every path outside the API): `/login`, `/admin`, `/console`, `/analytics`, `/handover`, `/tasks`, `/emergency`, else the wall. The pages
 * are loaded on demand, so the login page stays small.
 *
 * Runs under a strict Content-Security-Policy (no inline scripts, no eval): zod is told not to
 * probe `new Function`, which such a policy would report as a violation.
 */
import { mount, type Component } from 'svelte';
import { z } from 'zod';
import { pageOf } from './lib/utils/nav.ts';
import './app.css';

z.config({ jitless: true });

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

const page = pageOf(location.pathname);
document.documentElement.dataset.page = page;

async function load(): Promise<Component> {
  if (page === 'login') return (await import('./pages/LoginPage.svelte')).default;
  if (page === 'admin') return (await import('./pages/AdminPage.svelte')).default;
  if (page === 'console') return (await import('./pages/ConsolePage.svelte')).default;
  if (page === 'analytics') return (await import('./pages/AnalyticsPage.svelte')).default;
  if (page === 'handover') return (await import('./pages/HandoverPage.svelte')).default;
  if (page === 'tasks') return (await import('./pages/TasksPage.svelte')).default;
  if (page === 'emergency') return (await import('./pages/EmergencyPage.svelte')).default;
  return (await import('./pages/WallPage.svelte')).default;
}

export default load().then((Page) => mount(Page, { target }));
