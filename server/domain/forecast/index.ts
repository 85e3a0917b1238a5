/**
 * @module server/domain/forecast
 * Short-horizon forecasts of hourly indicator values (趋势预判) and their rolling-origin back-test.
 */
export * from './series.ts';
export * from './model.ts';
export * from './backtest.ts';
export * from './crossing.ts';
