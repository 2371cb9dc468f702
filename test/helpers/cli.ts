/**
 * The one way tests run the `leanrec` command: `node bin/leanrec.js …` in a child
 * process, from the sources (`LEANREC_SOURCE=1` ignores a stale `dist/`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
/** The command's script. */
export const bin = join(root, 'bin/leanrec.js');

/** What a run printed and its exit code. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** How to run the command. */
export interface RunOptions {
  /** Working directory. @defaultValue the repository's root */
  cwd?: string;
  /**
   * When run as root, without the capabilities that let root ignore file permissions
   * (`setpriv`), so that a read-only directory refuses it as it would any user; unlike
   * running as another user, this needs no access for others to the checkout's path.
   */
  unprivileged?: boolean;
  /** Run as this user and group id. */
  uid?: number;
  /** Node options before the script (e.g. `--import` of a resolve hook). */
  nodeArgs?: string[];
  /** Variables added to the environment. */
  env?: Record<string, string>;
  /** Milliseconds before the child is killed (then `code` is -1). */
  timeout?: number;
}

/**
 * `node …args` (a script and its arguments, after `nodeArgs`) with the test's
 * environment and `LEANREC_SOURCE=1`; resolves with the exit code and output, whatever the code.
 */
export function runNode(args: string[], options: RunOptions = {}): Promise<Run> {
  const drop = options.unprivileged === true && process.getuid?.() === 0;
  const command = [...(options.nodeArgs ?? []), ...args];
  return new Promise((resolve) => {
    execFile(
      drop ? 'setpriv' : process.execPath,
      drop
        ? ['--bounding-set', '-dac_override,-dac_read_search', '--', process.execPath, ...command]
        : command,
      {
        cwd: options.cwd ?? root,
        env: { ...process.env, ...options.env, LEANREC_SOURCE: '1' },
        maxBuffer: 64 << 20,
        ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `node bin/leanrec.js …args`; resolves with the exit code and output, whatever the code. */
export function leanrec(args: string[], options: RunOptions = {}): Promise<Run> {
  return runNode([bin, ...args], options);
}

/** A TypeScript file of the repository run from the sources (`leanrec` resolves to `src/`). */
export function runTs(file: string, args: string[] = [], options: RunOptions = {}): Promise<Run> {
  return runNode(['--conditions=leanrec-source', '--import', 'tsx', file, ...args], options);
}

/** {@link leanrec}, asserting exit code 0; resolves with what it printed on stdout. */
export async function leanrecOk(args: string[], options: RunOptions = {}): Promise<string> {
  const r = await leanrec(args, options);
  assert.equal(r.code, 0, `leanrec ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
