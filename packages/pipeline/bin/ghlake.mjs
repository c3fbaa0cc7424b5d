#!/bin/sh
":" //; exec node --single-threaded-gc "$0" "$@"
// ^ Run directly (npx ghlake, ./ghlake.mjs), the file is a shell script for one line: it `exec`s
// Node on itself (the same process id, so signals and exit codes are Node's own) with
// --single-threaded-gc. On the 2-core machines ghlake targets, V8's background GC threads
// competed with the pool's workers for the cores: the flag made the fused bronze+silver
// transform 13% faster (docs/bench-silver.md). It is a process-wide flag that Node accepts only
// on its command line (not in NODE_OPTIONS, not for a worker). To Node the second line is a
// string and a comment; `node ghlake.mjs ...` works too, without the flag.
//
// ghlake runs its TypeScript sources through tsx (no separate build step to forget).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
