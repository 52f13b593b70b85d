// `faultline hash-password`: reads a password from stdin and prints its hash for
// service.telemetry.metrics.auth.basic_auth[].password_hash. The password is read from stdin, never
// from the command line, where `ps` and shell history would keep it: piped (`printf %s "$PW" |
// faultline hash-password`, one trailing newline dropped) or typed at a prompt with no echo.

import { hashPassword } from './password-hash.js';

const MAX_PASSWORD_BYTES = 4096;

/** Returns the exit code: 0 printed a hash, 2 no password. */
export async function hashPasswordCommand(stdin: NodeJS.ReadStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const password = stdin.isTTY ? await prompt(stdin, stderr) : await readPiped(stdin);
  if (password === '') {
    stderr.write('no password given: pipe it in (printf %s "$PASSWORD" | faultline hash-password) or type it at the prompt\n');
    return 2;
  }
  stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}

async function readPiped(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    bytes += chunk.length;
    if (bytes > MAX_PASSWORD_BYTES) break;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_PASSWORD_BYTES).replace(/\r?\n$/, '');
}

/** One line typed without echo; Ctrl-C or Ctrl-D give ''. */
function prompt(stdin: NodeJS.ReadStream, stderr: NodeJS.WritableStream): Promise<string> {
  stderr.write('password: ');
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve) => {
    let typed = '';
    const done = (value: string) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(typed);
        if (char === '\u0003' || char === '\u0004') return done('');
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (typed.length < MAX_PASSWORD_BYTES) typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
