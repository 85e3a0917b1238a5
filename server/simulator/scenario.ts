/**
 * @module server/simulator/scenario
 * What the simulator reports, as pure generators over a seeded random source: grid events across
 * the domain guide's categories with a day/night rhythm and some grids hotter than others, and
 * readings for the sensor-type indicators (those fed by readings). The closed loop's own figures
 * (首办成功率, 好差评, 按时办结率, 12345 来电量) are not simulated here: the server derives them
 * from the cases the simulated sources report and the simulated duty officer works (loop.ts).
 */
import type { EventIngestItem, IndicatorDefinition, ReadingIngestItem, Severity } from '../../shared/index.ts';
import type { AreaNode, AreaTree } from '../domain/areas.ts';
import { Rng } from './rng.ts';

/** relative activity per local hour (00–23): quiet nights, a morning rise, busy daytime */
export const HOUR_PROFILE = [
  0.25, 0.18, 0.14, 0.12, 0.12, 0.2, 0.45, 0.85, 1.25, 1.45, 1.5, 1.45, 1.2, 1.3, 1.45, 1.45, 1.4, 1.35, 1.3, 1.2, 1.0, 0.8, 0.55, 0.35,
];

interface CategoryProfile {
  code: string;
  weight: number;
  sources: string[];
  severities: [Severity, number][];
  titles: string[];
}

/** The event mix. `other_report` is not in the shipped category list: it shows as uncategorised. */
export const CATEGORY_PROFILES: CategoryProfile[] = [
  { code: 'hotline_request', weight: 22, sources: ['12345'], severities: [['low', 5], ['medium', 4], ['high', 1]], titles: ['夜间施工噪声扰民', '路灯不亮', '窨井盖缺失', '人行道破损', '小区绿化带被占用', '楼道照明损坏'] },
  { code: 'traffic_violation', weight: 16, sources: ['camera'], severities: [['low', 6], ['medium', 3], ['high', 1]], titles: ['违法停车', '占用消防通道停车', '非机动车逆行', '机动车不礼让行人', '路口闯红灯'] },
  { code: 'neighbour_dispute', weight: 8, sources: ['12345', 'grid'], severities: [['low', 3], ['medium', 3]], titles: ['邻里噪声纠纷', '楼道堆物纠纷', '楼上渗漏水纠纷'] },
  { code: 'property_dispute', weight: 6, sources: ['12345'], severities: [['low', 2], ['medium', 3]], titles: ['物业服务纠纷', '小区停车管理纠纷', '电梯维修费用分摊纠纷'] },
  { code: 'fire_hazard', weight: 7, sources: ['sensor', 'grid'], severities: [['medium', 3], ['high', 4], ['critical', 1]], titles: ['烟感报警', '消防通道堵塞', '电动自行车楼道充电', '燃气泄漏报警', '消防栓损坏'] },
  { code: 'elevator_fault', weight: 6, sources: ['sensor', '12345'], severities: [['medium', 4], ['high', 3], ['critical', 1]], titles: ['电梯困人', '电梯故障停运', '电梯运行异响'] },
  { code: 'hazmat', weight: 2, sources: ['sensor', 'grid'], severities: [['high', 3], ['critical', 1]], titles: ['瓶装液化气违规存放', '危化品运输车辆异常停靠', '加油站油气浓度超标'] },
  { code: 'food_safety', weight: 5, sources: ['camera'], severities: [['low', 2], ['medium', 3], ['high', 1]], titles: ['后厨从业人员未戴口罩', '后厨发现鼠迹', '明厨亮灶设备离线'] },
  { code: 'production_safety', weight: 4, sources: ['grid'], severities: [['medium', 3], ['high', 2]], titles: ['工地未设围挡', '脚手架存在隐患', '有限空间作业未审批'] },
  { code: 'illegal_construction', weight: 4, sources: ['grid'], severities: [['low', 1], ['medium', 3]], titles: ['屋顶违章搭建', '擅自拆改承重结构', '违规搭建彩钢板房'] },
  { code: 'illegal_transport', weight: 2, sources: ['camera', 'grid'], severities: [['medium', 3]], titles: ['非法客运揽客'] },
  { code: 'unlicensed_business', weight: 4, sources: ['grid'], severities: [['low', 3], ['medium', 2]], titles: ['无证流动摊贩', '无照经营小餐饮'] },
  { code: 'public_opinion', weight: 3, sources: ['opinion'], severities: [['low', 2], ['medium', 2], ['high', 1]], titles: ['网络反映小区加装电梯进度', '网络反映学校周边交通拥堵'] },
  { code: 'epidemic', weight: 0.5, sources: ['grid'], severities: [['medium', 2], ['high', 1]], titles: ['重点场所防疫措施落实不到位'] },
  { code: 'other_report', weight: 0.5, sources: ['grid'], severities: [['low', 1]], titles: ['其他城市管理问题'] },
];

/** Mean values per grid per hour at activity 1.0, for grid-level count indicators. */
const GRID_MEANS: Record<string, number> = {
  fire_alarms: 0.006,
  elevator_faults: 0.008,
  hazmat_anomalies: 0.002,
  traffic_violations: 0.22,
  food_safety_alerts: 0.015,
  illegal_construction: 0.012,
};
/** Mean values per street at activity 1.0, for street-level count indicators. */
const STREET_MEANS: Record<string, number> = { public_opinion: 15, unlicensed_business: 2.5 };
/** Slowly drifting percentages per street. */
const RATE_BASE: Record<string, [number, number]> = {
  online_handling_rate: [84, 96],
};

export class Scenario {
  readonly rng: Rng;
  readonly weights = new Map<string, number>();
  private readonly grids: AreaNode[];
  private readonly streets: AreaNode[];
  private readonly rates = new Map<string, number>();
  private serial = 0;

  constructor(
    private readonly tree: AreaTree,
    private readonly indicators: readonly IndicatorDefinition[],
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.grids = tree.ofLevel('grid');
    this.streets = tree.ofLevel('street');
    // some grids are hotter than others: a log-normal spread plus a few hotspots, mean about 1
    for (const g of this.grids) this.weights.set(g.id, Math.exp(0.8 * this.rng.normal() - 0.32));
    for (let i = 0; i < Math.max(3, Math.round(this.grids.length / 40)); i++) {
      const g = this.rng.pick(this.grids);
      this.weights.set(g.id, this.weights.get(g.id)! * 5);
    }
    const total = [...this.weights.values()].reduce((a, b) => a + b, 0);
    for (const [id, w] of this.weights) this.weights.set(id, (w * this.grids.length) / total);
    for (const s of this.streets) {
      for (const [id, [lo, hi]] of Object.entries(RATE_BASE)) this.rates.set(`${id}|${s.id}`, lo + (hi - lo) * this.rng.next());
    }
  }

  /** a uniformly random point inside a grid (rejection sampling in its bbox) */
  pointIn(grid: AreaNode): [number, number] {
    const [x0, y0, x1, y1] = grid.bbox;
    for (let i = 0; i < 60; i++) {
      const lng = x0 + (x1 - x0) * this.rng.next();
      const lat = y0 + (y1 - y0) * this.rng.next();
      if (this.tree.locate(lng, lat)?.id === grid.id) return [round6(lng), round6(lat)];
    }
    return [round6((x0 + x1) / 2), round6((y0 + y1) / 2)];
  }

  /** events occurring in [from, to); `ratePerHour` is the district-wide mean at activity 1.0 */
  events(from: number, to: number, ratePerHour: number, localHour: (t: number) => number, idPrefix: string): EventIngestItem[] {
    const out: EventIngestItem[] = [];
    // step through the span in chunks of at most 5 minutes so the hour profile applies
    for (let t = from; t < to; t += 300_000) {
      const end = Math.min(to, t + 300_000);
      const mean = (ratePerHour * HOUR_PROFILE[localHour(t)]! * (end - t)) / 3_600_000;
      const n = this.rng.poisson(mean);
      for (let i = 0; i < n; i++) out.push(this.event(t + this.rng.next() * (end - t), idPrefix));
    }
    return out.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  }

  private event(t: number, idPrefix: string): EventIngestItem {
    const cat = this.rng.weighted(CATEGORY_PROFILES, (c) => c.weight);
    const grid = this.rng.weighted(this.grids, (g) => this.weights.get(g.id)!);
    const street = this.tree.get(grid.parentId!)!;
    const [lng, lat] = this.pointIn(grid);
    const source = this.rng.pick(cat.sources);
    const title = this.rng.pick(cat.titles);
    const severity = this.rng.weighted(cat.severities, ([, w]) => w)[0];
    const where = `${street.name}${grid.seq ?? ''}号网格`;
    const description =
      source === '12345'
        ? `市民来电反映：${where}附近${title}，希望尽快处理。`
        : source === 'grid'
          ? `网格巡查发现：${where}${title}，已拍照取证。`
          : source === 'opinion'
            ? `舆情监测：${title}，涉及${street.name}，关注度上升。`
            : `${source === 'camera' ? '视频智能识别' : '物联感知设备'}告警：${where}${title}。`;
    return {
      source,
      externalId: `${idPrefix}-${(++this.serial).toString(36)}-${Math.floor(t).toString(36)}`,
      category: cat.code,
      title,
      description,
      lng,
      lat,
      occurredAt: new Date(Math.floor(t)).toISOString(),
      severity,
    };
  }

  /** one round of readings at time t for indicators fed by readings (PM2.5 excluded: replayed) */
  readings(t: number, activity: number, gridsPerIndicator: number, withRates: boolean): ReadingIngestItem[] {
    const at = new Date(t).toISOString();
    const out: ReadingIngestItem[] = [];
    for (const def of this.indicators) {
      if (def.source !== 'readings' || def.id === 'pm25') continue;
      const gm = GRID_MEANS[def.id];
      if (gm !== undefined) {
        for (let i = 0; i < gridsPerIndicator; i++) {
          const g = this.rng.weighted(this.grids, (x) => this.weights.get(x.id)!);
          const value = this.rng.poisson(gm * activity * this.weights.get(g.id)!);
          if (this.rng.next() < 0.5) out.push({ indicator: def.id, value, at, areaId: g.id });
          else {
            const [lng, lat] = this.pointIn(g);
            out.push({ indicator: def.id, value, at, lng, lat });
          }
        }
        continue;
      }
      const sm = STREET_MEANS[def.id];
      if (sm !== undefined) {
        for (const s of this.streets) out.push({ indicator: def.id, value: this.rng.poisson(sm * activity), at, areaId: s.id });
        continue;
      }
      if (withRates && RATE_BASE[def.id]) {
        const [lo, hi] = RATE_BASE[def.id]!;
        for (const s of this.streets) {
          const key = `${def.id}|${s.id}`;
          const v = Math.min(100, Math.max(lo - 6, Math.min(hi, this.rates.get(key)! + 0.4 * this.rng.normal())));
          this.rates.set(key, v);
          out.push({ indicator: def.id, value: Math.round(v * 10) / 10, at, areaId: s.id });
        }
      }
    }
    return out;
  }
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
