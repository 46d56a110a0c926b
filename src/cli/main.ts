// The `roster` command's entry point (bin/roster); the program itself is in program.ts.
import { runCli } from './program.js';

await runCli(process.argv);
