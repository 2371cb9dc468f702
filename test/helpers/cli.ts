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

/**
 * `node bin/leanrec.js …args` in `cwd`.
 * `unprivileged`: when run as root, without the capabilities that let root ignore file
 * permissions (`setpriv`), so that a read-only directory refuses it as it would any user;
 * unlike running as another user, this needs no access for others to the checkout's path.
 */
export function leanrec(
  args: string[],
  options: { cwd?: string; unprivileged?: boolean } = {},
): Promise<Run> {
  const drop = options.unprivileged === true && process.getuid?.() === 0;
  return new Promise((resolve) => {
    execFile(
      drop ? 'setpriv' : process.execPath,
      drop
        ? ['--bounding-set', '-dac_override,-dac_read_search', '--', process.execPath, bin, ...args]
        : [bin, ...args],
      {
        cwd: options.cwd ?? root,
        env: { ...process.env, LEANREC_SOURCE: '1' },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
