/**
 * Builds ghlake's native code (every .c here → build/ghlake_native.node: the reader's validating pass, the byte
 * columns' encoding; ghlake_native.h) with the system C compiler and Node's own Node-API headers: no node-gyp, no
 * download. Run by the workspace's `prepare` (so `npm ci` builds it) and by `npm run build:native`.
 *
 * Without a compiler or headers ghlake still works: it runs the JavaScript twins and says so (`nativeStatus()` in
 * @ghlake/core). GHLAKE_NATIVE_REQUIRED=1 makes a failed build an error (CI sets it: the differential tests need
 * both sides).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sources = readdirSync(here)
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((f) => path.join(here, f));
const outDir = path.join(here, 'build');
const out = path.join(outDir, 'ghlake_native.node');
const required = process.env.GHLAKE_NATIVE_REQUIRED === '1';

function fail(why) {
  const message = `ghlake: the native code was not built (${why}); ghlake will run its JavaScript twins (transforms 45-55% slower, docs/build.md). To build it: install a C compiler (Debian: apt-get install build-essential) and run npm run build:native`;
  if (required) {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

if (process.platform === 'win32') fail('Windows builds are not set up');
// Node's own headers when it ships them; else the node-api-headers package (a devDependency: the same ABI-stable
// Node-API declarations, so a Node installed without headers still builds it).
function packagedHeaders() {
  try {
    return path.join(path.dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include');
  } catch {
    return undefined;
  }
}
const includeDirs = [
  process.env.GHLAKE_NODE_INCLUDE,
  path.resolve(path.dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
  packagedHeaders(),
].filter((d) => d !== undefined && d !== '');
const include = includeDirs.find((d) => existsSync(path.join(d, 'node_api.h')));
if (include === undefined) fail(`no node_api.h under ${includeDirs.join(', ')}`);

const cc = process.env.CC || 'cc';
// GHLAKE_NATIVE_SANITIZE=1: an AddressSanitizer + UndefinedBehaviorSanitizer build, for the fuzz (docs/build.md).
const sanitize = process.env.GHLAKE_NATIVE_SANITIZE === '1';
const args = [
  ...(sanitize ? ['-O1', '-g', '-fsanitize=address,undefined', '-fno-omit-frame-pointer'] : ['-O3']),
  '-std=c11',
  '-fPIC',
  '-shared',
  '-fvisibility=hidden',
  '-Wall',
  '-Wextra',
  `-I${include}`,
];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
const libraries = ['-lm'];
mkdirSync(outDir, { recursive: true });
// Crash-safe: compiled under a temporary name, renamed when complete.
const temporary = `${out}.${process.pid}.tmp`;
try {
  execFileSync(cc, [...args, ...sources, ...libraries, '-o', temporary], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(temporary, out);
} catch (error) {
  rmSync(temporary, { force: true });
  fail(`${cc} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
}
console.log(`ghlake: built the native code${sanitize ? ' with AddressSanitizer and UBSan' : ''} (${path.relative(process.cwd(), out)})`);
