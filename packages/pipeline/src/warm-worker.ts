/**
 * Pool warm-up: loading the fused transform's modules (the Parquet writer, DuckDB, the transform)
 * costs each worker thread a second or more. Run on every worker at the start of a run, this
 * happens while the first hours download instead of after. Importing the silver package loads
 * the very module URLs the transform tasks use, so they are cached for them.
 */
import { workerEntry } from '@ghlake/core';
import '@ghlake/silver';

export default workerEntry(() => true);
