export * from './writer.js';
export * from './columns.js';
export { parquetSchema } from './hyparquet-sink.js';
