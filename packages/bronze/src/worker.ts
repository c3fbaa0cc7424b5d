/**
 * Pool worker for `ghlake bronze`: one raw hour → bronze partitions. Errors come back as data
 * (workerEntry), so a bad hour fails alone.
 */
import { workerEntry } from '@ghlake/core';
import { transformRawHour, type RawHourResult, type RawHourTask } from './raw-hour.js';

export type BronzeHourTask = RawHourTask;
export type BronzeHourResult = RawHourResult<undefined>;

export default workerEntry<BronzeHourTask, BronzeHourResult>((task) => transformRawHour(task));
