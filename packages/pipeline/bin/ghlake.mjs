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
// ghlake runs compiled: `@ghlake/pipeline/cli` is dist/cli.js, built by `npm ci` (the root's
// `prepare`) or `npm run build`. Tests run the sources through the same file by giving Node
// `--conditions=@ghlake/source --import tsx` (vitest.config.ts sets NODE_OPTIONS so).
// eslint-disable-next-line @nx/enforce-module-boundaries -- the package's own exports choose dist/ or src/ by condition
const { main } = await import('@ghlake/pipeline/cli');
process.exitCode = await main(process.argv.slice(2));
