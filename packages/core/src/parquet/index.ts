export * from './writer.js';
export { parquetSchema } from './hyparquet-sink.js';
