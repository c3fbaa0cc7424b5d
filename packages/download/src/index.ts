export { downloadCommand } from './cli.js';
export { downloadHours, ensureLakeWritable, type DownloadHooks, type DownloadProgress, type DownloadSummary } from './runner.js';
export { fetchHour, hourUrl, type HourResult, type HourStatus, type HourError, type RetryEvent } from './fetch-hour.js';
export { DOWNLOAD_OPTIONS, DEFAULT_BASE_URL, configFromOptions, downloadConfig, type DownloadConfig, type DownloadOptions } from './options.js';
export { backoffDelay, parseRetryAfter, planRetry, isRetryableStatus, type RetryPolicy } from './retry.js';
export { GzipVerifier, verifyGzipFile, type GzipCheck } from './gzip-verify.js';
export { corruptPath, readRawMeta, inspectKeptHour, markGzipChecked, markGzipDamaged, type RawMeta, type KeptHour } from './raw-meta.js';
export { createProgressReporter, statusLine, type ProgressReporter } from './progress.js';
export { formatSummary, summaryJson } from './summary.js';
