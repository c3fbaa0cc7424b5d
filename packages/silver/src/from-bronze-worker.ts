/** Pool worker for `ghlake silver`: one hour's bronze partition → its silver partitions. */
import { workerEntry } from '@ghlake/core';
import { silverFromBronzeHour, type FromBronzeResult, type FromBronzeTask } from './from-bronze.js';

export default workerEntry<FromBronzeTask, FromBronzeResult>(silverFromBronzeHour);
