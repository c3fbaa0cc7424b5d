export * from './writer.js';
export * from './columns.js';
