/**
 * @module shared/schemas/indicator
 * Indicator definitions (城市运行体征指标) and their live values. The registry itself is data
 * (`data/indicators.json`), validated by {@link IndicatorRegistry}.
 */
import { z } from 'zod';
import { AreaLevel } from './area.ts';
import { Code, IsoDateTime, LocalisedText } from './common.ts';

/** 公共安全 / 公共服务 / 公共管理 (DOMAIN.md R3.1). */
export const IndicatorCategory = z.enum(['public_safety', 'public_service', 'public_management']);
export type IndicatorCategory = z.infer<typeof IndicatorCategory>;

export const INDICATOR_CATEGORY_NAMES: Record<IndicatorCategory, LocalisedText> = {
  public_safety: { zh: '公共安全', en: 'Public safety' },
  public_service: { zh: '公共服务', en: 'Public service' },
  public_management: { zh: '公共管理', en: 'Public management' },
};

/**
 * How child areas' values combine into the parent's value. `ratio` is a percentage the server
 * derives from counts (a numerator and a denominator per area): a parent's rate is recomputed from
 * the summed counts of the areas below, never averaged from their rates.
 */
export const Aggregation = z.enum(['sum', 'mean', 'max', 'min', 'ratio']);
export type Aggregation = z.infer<typeof Aggregation>;

/** Which way is bad: `above` means values at or above the thresholds warn/alarm. */
export const ThresholdDirection = z.enum(['above', 'below']);
export type ThresholdDirection = z.infer<typeof ThresholdDirection>;

/** Where values come from: posted readings, or derived by the server from the events it holds. */
export const IndicatorSource = z.enum(['readings', 'derived']);

export const IndicatorDefinition = z
  .object({
    id: Code,
    name: LocalisedText,
    category: IndicatorCategory,
    unit: LocalisedText,
    decimals: z.number().int().min(0).max(3),
    thresholds: z.object({
      direction: ThresholdDirection,
      warn: z.number().finite(),
      alarm: z.number().finite(),
    }),
    /** Thresholds for other levels where they differ (counts summed over a street are smaller). */
    levelThresholds: z.partialRecord(AreaLevel, z.object({ warn: z.number().finite(), alarm: z.number().finite() })).optional(),
    /** An optional target shown beside the value, e.g. 首办成功率 ≥ 90% (DOMAIN.md). */
    target: z.number().finite().optional(),
    aggregation: Aggregation,
    /** A value older than this is shown as stale, and no longer counts in roll-ups. */
    staleAfterSec: z.number().int().positive(),
    /**
     * A measurement that holds for the whole area it is reported for (air quality from one
     * station): areas below it without data of their own show the value of the area above.
     */
    inherit: z.boolean().default(false),
    /** Area levels this indicator is reported and shown for. */
    levels: z.array(AreaLevel).min(1),
    source: IndicatorSource,
    /** Inclusive plausible range; a reading outside it is rejected. */
    range: z.tuple([z.number().finite(), z.number().finite()]),
    /** Grounding in the source documents (DOMAIN.md reference). */
    basis: z.string().min(1),
    /**
     * How much this indicator counts in an area's composite health score (体征指数), relative to
     * the others: 0 leaves it out of the score, 1 is the default, safety indicators weigh more.
     */
    weight: z.number().finite().min(0).max(100).default(1),
  })
  .refine(
    (d) => (d.thresholds.direction === 'above' ? d.thresholds.alarm >= d.thresholds.warn : d.thresholds.alarm <= d.thresholds.warn),
    { message: 'alarm must be beyond warn in the threshold direction', path: ['thresholds'] },
  )
  .refine((d) => d.aggregation !== 'ratio' || d.source === 'derived', {
    message: 'a ratio is computed by the server from counts: only a derived indicator can aggregate as ratio',
    path: ['aggregation'],
  }).meta({ id: 'IndicatorDefinition', description: 'An indicator of the registry (`data/indicators.json`): thresholds, roll-up and the levels it is shown for.' });
export type IndicatorDefinition = z.infer<typeof IndicatorDefinition>;

export const IndicatorRegistry = z
  .array(IndicatorDefinition)
  .min(1)
  .refine((defs) => new Set(defs.map((d) => d.id)).size === defs.length, { message: 'indicator ids must be unique' });

export const IndicatorStatus = z.enum(['normal', 'warn', 'alarm', 'stale', 'nodata']);
export type IndicatorStatus = z.infer<typeof IndicatorStatus>;

/** The current value of one indicator for one area. */
export const IndicatorValue = z.object({
  indicatorId: z.string(),
  areaId: z.string(),
  value: z.number().nullable(),
  /** time of the newest reading that contributed */
  at: IsoDateTime.nullable(),
  status: IndicatorStatus,
  simulated: z.boolean(),
}).meta({ id: 'IndicatorValue', description: 'The current value of one indicator for one area.' });
export type IndicatorValue = z.infer<typeof IndicatorValue>;

/** One point of an indicator's time series (bucketed). */
export const SeriesPoint = z.tuple([z.number(), z.number()]); // [epoch ms of bucket start, value]
export type SeriesPoint = z.infer<typeof SeriesPoint>;

/** The answer to `GET /api/v1/indicators?areaId=`: the registry, and the current values of the area and its children. */
export const IndicatorsResponse = z
  .object({ definitions: z.array(IndicatorDefinition), values: z.array(IndicatorValue) })
  .meta({ id: 'IndicatorsResponse', description: 'The indicator registry, and the current values of the area and of its direct children.' });
export type IndicatorsResponse = z.infer<typeof IndicatorsResponse>;
