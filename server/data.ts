/**
 * @module server/data
 * Loads and validates the data the product ships (`data/`): the area hierarchy, the basemap,
 * the indicator registry and the event categories. Fails loudly on a bad file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { FeatureCollection } from 'geojson';
import { z } from 'zod';
import { ruleProblems } from './domain/alarm-rules.ts';
import {
  AlarmRuleList, AreaCollection, BasemapLayer, BuildingImportCollection, EventCategoryList, IndicatorRegistry, KeyAreaImportCollection, ResponsibilityRule, RoadImport, TimeLimits, Unit,
  type AlarmRule, type EventCategory, type IndicatorDefinition,
} from '../shared/index.ts';

export const DEFAULT_DATA_ROOT = fileURLToPath(new URL('../data/', import.meta.url));

export interface ShippedData {
  areas: AreaCollection;
  basemap: FeatureCollection;
  indicators: IndicatorDefinition[];
  categories: EventCategory[];
  units: Unit[];
  responsibility: ResponsibilityRule[];
  timeLimits: TimeLimits;
  /** the alarm rules as shipped (`data/rules.json`); administrators' edits are kept in the database */
  rules: AlarmRule[];
  /** the demo's main roads and key areas, drawn approximately: shown until a centre imports its own */
  roads: RoadImport;
  keyAreas: KeyAreaImportCollection;
  /** the demo's sample buildings with invented 三长 */
  buildings: BuildingImportCollection;
}

function load<T>(file: string, schema: z.ZodType<T>): T {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`${file} is invalid:\n  ${first.join('\n  ')}`);
  }
  return r.data;
}

export function loadShippedData(root = DEFAULT_DATA_ROOT): ShippedData {
  const basemap = JSON.parse(readFileSync(join(root, 'geo/basemap.geojson'), 'utf8')) as FeatureCollection;
  basemap.features.forEach((f, i) => {
    if (!BasemapLayer.safeParse(f.properties?.layer).success) throw new Error(`basemap feature ${i} has no known layer property`);
  });
  const indicators = load(join(root, 'indicators.json'), IndicatorRegistry);
  const categories = load(join(root, 'event-categories.json'), EventCategoryList);
  const rules = load(join(root, 'rules.json'), AlarmRuleList);
  const problems = ruleProblems(rules, indicators, categories);
  if (problems.length) throw new Error(`${join(root, 'rules.json')} is invalid:\n  ${problems.slice(0, 5).join('\n  ')}`);
  return {
    areas: load(join(root, 'geo/areas.geojson'), AreaCollection),
    basemap,
    indicators,
    categories,
    rules,
    units: load(join(root, 'units.json'), z.array(Unit)),
    responsibility: load(join(root, 'responsibility.json'), z.array(ResponsibilityRule)),
    timeLimits: load(join(root, 'time-limits.json'), TimeLimits.refine((l) => l.categories['*'] !== undefined, 'a default (*) limit is required')),
    roads: load(join(root, 'geo/roads.demo.geojson'), RoadImport),
    keyAreas: load(join(root, 'geo/key-areas.demo.geojson'), KeyAreaImportCollection),
    buildings: load(join(root, 'geo/buildings.demo.geojson'), BuildingImportCollection),
  };
}
