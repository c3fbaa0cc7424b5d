/**
 * Run the local GH Archive mirror from a shell:
 *
 *   npx tsx tools/mirror/cli.ts --root ./my-hours --port 8080
 *   npm run mirror -w @ghlake/tools -- --root ../lake/raw --port 8080
 *
 * then `ghlake download --base-url http://127.0.0.1:8080 ...`. Faults come from a JSON file
 * (`--faults faults.json`, see faults.ts) or `--bytes-per-second` for a bandwidth limit.
 * Logs one line per request on stderr; Ctrl-C stops it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseFaults, type MirrorFaults } from './faults.js';
import { startMirror } from './server.js';

const USAGE = `usage: tsx tools/mirror/cli.ts --root <dir> [--port 8080] [--host 127.0.0.1] [--faults faults.json] [--bytes-per-second N] [--quiet]

Serves <dir>'s hour files as http://<host>:<port>/YYYY-MM-DD-H.json.gz (flat, date=*/ or a lake's raw/date=*/).`;

function fail(message: string): never {
  process.stderr.write(`mirror: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      root: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      faults: { type: 'string' },
      'bytes-per-second': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.root) fail('--root is required');
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port '${values.port}' is not a port number (0-65535)`);
let faults: MirrorFaults = {};
if (values.faults) {
  try {
    faults = parseFaults(JSON.parse(readFileSync(values.faults, 'utf8')), values.faults);
  } catch (error) {
    fail(`cannot use --faults ${values.faults}: ${(error as Error).message}`);
  }
}
if (values['bytes-per-second'] !== undefined) {
  const rate = Number(values['bytes-per-second']);
  if (!Number.isFinite(rate) || rate <= 0) fail(`--bytes-per-second '${values['bytes-per-second']}' is not a positive number`);
  faults['*'] = { ...faults['*'], bytesPerSecond: rate };
}

try {
  const mirror = await startMirror({
    root: values.root,
    port,
    host: values.host!,
    faults,
    onRequest: values.quiet
      ? undefined
      : (r) =>
          process.stderr.write(
            `${new Date().toISOString().slice(11, 19)} ${r.method} ${r.path} ${r.status} ${r.bytesSent}B${r.completed ? '' : ' (cut)'}${r.fault ? ` [${r.fault}]` : ''}\n`,
          ),
  });
  process.stdout.write(`mirror serving ${values.root} at ${mirror.url}\n`);
  const stop = () => {
    void mirror.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  fail((error as Error).message);
}
