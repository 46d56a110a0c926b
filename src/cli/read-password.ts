import { AppError } from '../errors.js';

/**
 * Reads a password piped in (`--password-stdin`): all of standard input, less one trailing line end. On a
 * terminal, where reading it would echo it, it is asked for with echo off instead.
 */
export async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) return promptPassword('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks for a password on the terminal, echo off (raw mode: nothing typed is shown). */
export function promptPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new AppError(
      'usage',
      'Standard input is not a terminal, so the password cannot be asked for.',
      'Pipe it in instead: printf %s "$PASSWORD" | roster users add EMAIL --password-stdin',
    );
  }
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: AppError) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
          return finish(new AppError('usage', 'Cancelled: no user was added.'));
        }
        if (ch === '\u0004') return finish();
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    process.stderr.write(prompt);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
