export * from './s3/index.js';
