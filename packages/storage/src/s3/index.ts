export {
  uploadLake,
  uploadExitCode,
  type UploadSummary,
  type UploadEvent,
  type UploadFailure,
  type UploadRunOptions,
  type GoldPublishResult,
  type ObjectStatus,
} from './runner.js';
export { resolveUploadConfig, uploadConfigFromOptions, type UploadConfig, type UploadConfigInput } from './config.js';
export {
  UPLOAD_OPTIONS,
  S3_LOCATION_OPTIONS,
  S3_CREDENTIAL_OPTIONS,
  credentialsFrom,
  MIN_PART_SIZE,
  MAX_PART_SIZE,
  parseBucket,
  parsePrefix,
  type UploadOptions,
} from './options.js';
export { createS3Client, type S3ConnectionConfig, type S3Credentials } from './client.js';
export { listLakeFiles } from './lake-files.js';
export { objectKey, publishedRel, keyPrefix, goldPointerKey, goldVersionPrefix, goldVersionKey, s3Url, GOLD_POINTER, GOLD_VERSIONS_DIR } from './keys.js';
export { GOLD_POINTER_FORMAT, goldVersionOf, buildGoldPointer, localGoldVersion, readGoldPointer, type GoldPointer, type GoldFile } from './gold-publish.js';
export { sha256OfFile, HashCache } from './checksum.js';
export { SHA256_METADATA } from './put-object.js';
export { formatUploadSummary, uploadSummaryJson } from './summary.js';
export { uploadCommand } from './cli.js';
