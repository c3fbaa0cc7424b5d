export * from './event-input.js';
export * from './silver-rows.js';
export * from './observations.js';
export * from './write-silver.js';
export { silverExtension, transformFusedHour, type FusedHourTask, type FusedHourResult } from './fused-worker.js';
export { silverFromBronzeHour, bronzeEventRow, type FromBronzeTask, type FromBronzeResult } from './from-bronze.js';
export * from './options.js';
export * from './runner.js';
export { silverCommand, silverExtra } from './cli.js';
