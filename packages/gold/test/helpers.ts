export * from '../../silver/test/silver-lake.js';
