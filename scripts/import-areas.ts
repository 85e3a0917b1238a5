/**
 * @module import-areas
 *
 * Imports a centre's own area hierarchy (real street / grid boundaries) in
 * place of the approximate one built by `npm run geo`.
 *
 * Usage: `npm run geo:import -- <file.geojson> [--check]`
 *
 * The file must be a WGS84 GeoJSON FeatureCollection whose features carry
 * `id`, `level` (city | district | street | grid), `parentId` and `name`
 * (see scripts/lib/areas-validate.ts for every rule). On any error the
 * problems are listed with the feature index and the script exits with code 1
 * without writing anything. Otherwise it writes `data/geo/areas.geojson`
 * (`nameEn` defaults to `name`, `approximate` to false). With `--check` it
 * only validates.
 *
 * Note: a later `npm run geo` overwrites the imported file with the derived
 * approximation again.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateAreas } from './lib/areas-validate.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'data/geo/areas.geojson');

function usage(message: string): never {
  console.error(`${message}\nusage: npm run geo:import -- <file.geojson> [--check]`);
  process.exit(2);
}

function main(): void {
  const args = process.argv.slice(2);
  const checkOnly = args.includes('--check');
  const files = args.filter((a) => a !== '--check');
  const unknown = files.filter((a) => a.startsWith('--'));
  if (unknown.length > 0) usage(`unknown option: ${unknown.join(' ')}`);
  if (files.length !== 1) usage('give exactly one GeoJSON file');
  const file = resolve(files[0]!);

  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`cannot read ${file} as JSON: ${(err as Error).message}`);
    process.exit(1);
  }

  const result = validateAreas(input);
  if (!result.ok || !result.areas) {
    console.error(`${file}: ${result.errors.length} error(s); nothing written.`);
    const MAX_SHOWN = 100;
    for (const e of result.errors.slice(0, MAX_SHOWN)) console.error(`  - ${e}`);
    if (result.errors.length > MAX_SHOWN) console.error(`  … and ${result.errors.length - MAX_SHOWN} more`);
    process.exit(1);
  }

  const c = result.counts;
  const summary = `${c.city} city, ${c.district} district, ${c.street} streets, ${c.grid} grids`;
  if (checkOnly) {
    console.log(`${file}: valid (${summary}).`);
    return;
  }
  // One feature per line, like the generated file.
  const body = result.areas.features.map((f) => JSON.stringify(f)).join(',\n');
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `{"type":"FeatureCollection","features":[\n${body}\n]}\n`);
  console.log(`imported ${file} → data/geo/areas.geojson (${summary}).`);
  console.log('Coordinates must be WGS84 (not GCJ-02 from Amap/DataV); restart the server to load the new areas.');
}

main();
