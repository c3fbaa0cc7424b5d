export * from './s3/index.js';
export * from './snowflake/index.js';
