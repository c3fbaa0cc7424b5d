export { main } from './cli.js';
export { COMMANDS } from './commands.js';
