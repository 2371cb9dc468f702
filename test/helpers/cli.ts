/** Runs the `leanrec` command in a child process, from the source (LEANREC_SOURCE=1). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/leanrec.js');

/** What a run printed and its exit code. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/leanrec.js …args` in `cwd`, as user `uid` when given (the tests run as root). */
export function leanrec(
  args: string[],
  options: { cwd?: string; uid?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: options.cwd ?? root,
        env: { ...process.env, LEANREC_SOURCE: '1' },
        maxBuffer: 64 << 20,
        ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
