export * from '@ghlake/core/duckdb';
