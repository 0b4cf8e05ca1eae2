/**
 * Asks for the first admin's name and password in a terminal, the password
 * without echo. Used by `tracklab server --auth` when the auth database has
 * no admin and TRACKLAB_ADMIN_USERNAME / _PASSWORD are not set.
 */
import * as readline from 'node:readline';
import { Writable } from 'node:stream';
import type { AdminPrompt } from '../../server/auth/admin-bootstrap';

export const terminalAdminPrompt: AdminPrompt = async () => {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  // Ctrl-C or Ctrl-D at a prompt gives up: the server then says how else to make an admin and exits 1.
  let gaveUp: (() => void) | undefined;
  rl.on('SIGINT', () => rl.close());
  rl.on('close', () => gaveUp?.());
  const ask = (question: string, hidden: boolean) => new Promise<string | undefined>((resolve) => {
    process.stderr.write(question);
    muted = hidden;
    gaveUp = () => { muted = false; process.stderr.write('\n'); resolve(undefined); };
    rl.question('', (answer) => {
      muted = false;
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
  });
  try {
    process.stderr.write('tracklab server: the auth database has no admin yet; create one.\n');
    const username = await ask('Admin user name: ', false);
    if (username === undefined) return undefined;
    const password = await ask('Admin password (8 characters or more): ', true);
    if (password === undefined) return undefined;
    return { username: username.trim(), password };
  } finally {
    rl.close();
  }
};
