/**
 * Public face of the quoting models: the desk imports `createStrategy` and the contract types from here.
 * Re-exports only; the models themselves live in their modules and stay pure.
 */
export { createStrategy, Strategy, type IntensityView, type StrategyOptions } from './strategy.js';
export { MidVolatility, SECONDS_PER_YEAR_365 } from './volatility.js';
export { IntensityCalibrator, type IntensityOptions } from './intensity.js';
export * from './components.js';
export * from './models.js';
export { emptyDecision, type QuoteDecision, type QuoteInputs, type QuotingStrategy } from './types.js';
