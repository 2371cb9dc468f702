/**
 * Runs parser jobs (fuzz-worker.ts) in a worker thread with a hard time limit and a
 * capped heap: a job that loops forever, even synchronously, is stopped by terminating
 * the worker (and reported as a hang), and one that allocates without bound dies of the
 * heap cap (reported as out of memory) instead of taking the machine down. The next job
 * gets a fresh worker.
 */
import { Worker } from 'node:worker_threads';
import type { ErrorInfo, Job, Outcome } from './fuzz-worker.ts';

export type { ErrorInfo, Job, Outcome };

/** How an isolated job ended when the worker itself did not answer. */
export class IsolationFailure extends Error {
  override readonly name = 'IsolationFailure';
  constructor(
    readonly reason: 'hang' | 'crash',
    message: string,
  ) {
    super(message);
  }
}

const workerUrl = new URL('./fuzz-worker.ts', import.meta.url).href;
const tsxUrl = import.meta.resolve('tsx/esm/api');
// The worker registers tsx itself: loader hooks given with `--import` do not reach workers.
const boot = `import(${JSON.stringify(tsxUrl)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl)}); });`;

export interface IsolatedOptions {
  /** A job that takes longer is a hang: the worker is terminated. */
  hangMs: number;
  /** Old-generation heap cap of the worker, in MiB. */
  heapMb: number;
}

export class IsolatedRunner {
  readonly #options: IsolatedOptions;
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  /** Workers started so far (1 + the number of hangs and crashes). */
  started = 0;

  constructor(options: IsolatedOptions) {
    this.#options = options;
  }

  #spawn(): Worker {
    const w = new Worker(boot, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.#options.heapMb },
    });
    w.unref();
    this.started++;
    // The first job waits for the worker's modules: one trivial job warms it up.
    this.#ready = new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
      w.postMessage({ kind: 'relations', text: 'a' } satisfies Job);
    });
    return w;
  }

  /** Runs `job`; rejects with an {@link IsolationFailure} on a hang or a dead worker. */
  async run(job: Job): Promise<Outcome> {
    let w = this.#worker;
    if (w === undefined) w = this.#worker = this.#spawn();
    await this.#ready;
    return new Promise<Outcome>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const drop = () => {
        if (this.#worker === w) this.#worker = undefined;
      };
      const onMessage = (o: Outcome) => {
        cleanup();
        resolve(o);
      };
      const onError = (err: Error) => {
        cleanup();
        drop();
        void w.terminate();
        reject(new IsolationFailure('crash', `worker died: ${(err as Error).message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        drop();
        reject(new IsolationFailure('crash', `worker exited with code ${code}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        drop();
        void w.terminate();
        reject(new IsolationFailure('hang', `no answer within ${this.#options.hangMs} ms`));
      }, this.#options.hangMs);
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      w.postMessage(job);
    });
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (w !== undefined) await w.terminate();
  }
}
