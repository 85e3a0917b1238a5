import { describe, expect, it } from 'vitest';
import { EventIngestItem, ReadingIngestItem } from '../../shared/index.ts';
import { AreaTree } from '../../server/domain/areas.ts';
import { Pm25Replay, } from '../../server/simulator/pm25.ts';
import { PM25_FILE } from '../../server/simulator/simulator.ts';
import { HOUR_PROFILE, Scenario } from '../../server/simulator/scenario.ts';
import { shippedData } from '../helpers/server.ts';

const data = shippedData();
const tree = new AreaTree(data.areas);
const T0 = Date.parse('2026-11-20T16:00:00Z'); // local midnight in Shanghai
const localHour = (t: number) => new Date(t + 8 * 3_600_000).getUTCHours();

describe(Scenario.name, () => {
  it('should be deterministic for a seed', () => {
    const a = new Scenario(tree, data.indicators, 7).events(T0, T0 + 6 * 3_600_000, 100, localHour, 'p');
    const b = new Scenario(tree, data.indicators, 7).events(T0, T0 + 6 * 3_600_000, 100, localHour, 'p');
    const c = new Scenario(tree, data.indicators, 8).events(T0, T0 + 6 * 3_600_000, 100, localHour, 'p');
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('should produce valid events inside the district, with a day/night rhythm and hot grids', () => {
    const s = new Scenario(tree, data.indicators, 1);
    const events = s.events(T0, T0 + 86_400_000, 100, localHour, 'p');
    for (const e of events) {
      expect(EventIngestItem.safeParse(e).success).toBe(true);
      expect(tree.locate(e.lng, e.lat)).toBeDefined();
    }
    const byHour = new Array(24).fill(0);
    for (const e of events) byHour[localHour(Date.parse(e.occurredAt))]++;
    const night = byHour.slice(1, 5).reduce((a, b) => a + b);
    const day = byHour.slice(9, 13).reduce((a, b) => a + b);
    expect(day).toBeGreaterThan(night * 4);
    expect(HOUR_PROFILE).toHaveLength(24);
    // hot grids: the busiest tenth of grids gets far more than a tenth of events
    const perGrid = new Map<string, number>();
    for (const e of events) perGrid.set(tree.locate(e.lng, e.lat)!.id, (perGrid.get(tree.locate(e.lng, e.lat)!.id) ?? 0) + 1);
    const sorted = [...perGrid.values()].sort((a, b) => b - a);
    const top = sorted.slice(0, Math.ceil(tree.gridIds().length / 10)).reduce((a, b) => a + b, 0);
    expect(top / events.length).toBeGreaterThan(0.2);
    const categories = new Set(events.map((e) => e.category));
    expect(categories.size).toBeGreaterThanOrEqual(12);
  });

  it('should produce valid readings for every indicator fed by readings except the replayed PM2.5', () => {
    const s = new Scenario(tree, data.indicators, 3);
    const readings = s.readings(T0, 1, 10, true);
    for (const r of readings) expect(ReadingIngestItem.safeParse(r).success).toBe(true);
    const ids = new Set(readings.map((r) => r.indicator));
    const expected = data.indicators.filter((d) => d.source === 'readings' && d.id !== 'pm25').map((d) => d.id);
    expect([...ids].sort()).toEqual(expected.sort());
  });
});

describe(Pm25Replay.name, () => {
  it('should replay the real Jing\'an series for the same calendar hour, interpolated', () => {
    const replay = new Pm25Replay('year,month,day,hour,pm25\n2014,11,22,9,40\n2014,11,22,10,60\n2015,11,22,9,20\n');
    const nine = Date.parse('2026-11-22T01:00:00Z');
    expect(replay.at(nine, 8 * 3_600_000)).toBe(20); // the newest year wins
    expect(replay.at(nine + 1_800_000, 8 * 3_600_000)).toBe(40); // halfway to 60
  });
  it('should load the shipped series', () => {
    const replay = Pm25Replay.fromFile(PM25_FILE);
    const v = replay.at(Date.now(), 8 * 3_600_000);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(1000);
  });
});
