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
  const ask = (question: string, hidden: boolean) => new Promise<string>((resolve) => {
    process.stderr.write(question);
    muted = hidden;
    rl.question('', (answer) => {
      muted = false;
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
  });
  try {
    process.stderr.write('tracklab server: the auth database has no admin yet; create one.\n');
    const username = (await ask('Admin user name: ', false)).trim();
    const password = await ask('Admin password (8 characters or more): ', true);
    return { username, password };
  } finally {
    rl.close();
  }
};
