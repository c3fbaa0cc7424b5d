#!/usr/bin/env node
// ghlake runs its TypeScript sources through tsx (no separate build step to forget).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
