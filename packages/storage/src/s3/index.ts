export {
  uploadLake,
  uploadExitCode,
  type UploadSummary,
  type UploadEvent,
  type UploadFailure,
  type UploadRunOptions,
  type GoldPublishResult,
  type ObjectStatus,
  type UploadMode,
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
export {
  listLakeFiles,
  changedLakeFiles,
  goldSnapshot,
  silverKeyedTables,
  type LakeFile,
  type KeyedLakeFile,
  type KeyedLakeTable,
  type GoldSnapshot,
} from './lake-files.js';
export { objectKey, keyPrefix, goldPointerKey, s3Url, GOLD_POINTER, LEGACY_GOLD_VERSIONS_DIR } from './keys.js';
export { GOLD_POINTER_FORMAT, goldVersionOf, buildGoldPointer, readGoldPointer, type GoldPointer, type GoldFile } from './gold-publish.js';
export { UploadState, UPLOAD_STATE_TABLES } from './upload-state.js';
export { SHA256_METADATA } from './put-object.js';
export { formatUploadSummary, uploadSummaryJson } from './summary.js';
export { uploadCommand } from './upload-command.js';
