/**
 * A database that fails on cue: an abstract-level database wrapped around another one,
 * which passes every call through until an armed fault says otherwise. Use it through
 * the `database` option of `openStore` to test what your code does when the database
 * fails, and to simulate a crash in-process.
 *
 *   store ──▶ FaultyLevel ──(every call counted by kind; an armed fault throws)──▶ inner db
 *
 * A fault fails the n-th call of one kind once, either before the call reaches the
 * inner database (nothing happened) or after it completed there (`when: 'after'`: the
 * write happened, only its acknowledgement is lost, as when a sync or a network reply
 * fails).
 */
import { createRequire } from 'node:module';
import { AbstractIterator, AbstractLevel } from 'abstract-level';
import { MemoryLevel } from 'memory-level';
import type { Database, DatabaseOptions } from '../store/options.ts';

/**
 * The calls a {@link FaultyLevel} counts and can fail. `next` is one step of an
 * iterator (`next()`, or `nextv()`/`all()` for a run of entries), whichever the caller uses.
 */
export type FaultKind = 'open' | 'batch' | 'put' | 'del' | 'get' | 'getSync' | 'getMany' | 'next';

/** Every {@link FaultKind}. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'open',
  'batch',
  'put',
  'del',
  'get',
  'getSync',
  'getMany',
  'next',
];

/** What {@link FaultyLevel.inject} arms. */
export interface FaultOptions {
  /** The kind of call to fail. */
  kind: FaultKind;
  /** Calls of that kind let through first (counted from `inject`). @defaultValue 0 */
  skip?: number;
  /**
   * `'before'`: the call fails without reaching the inner database. `'after'`: the call
   * completes on the inner database, then fails anyway (a lost acknowledgement; for
   * reads the same as `'before'`).
   * @defaultValue 'before'
   */
  when?: 'before' | 'after';
}

/** The error an armed fault throws. Compare it with an error's `cause`. */
export class InjectedFault extends Error {
  /** The kind of call it fails (`'crash'`: every call after {@link FaultyLevel.crash}). */
  readonly kind: FaultKind | 'crash';
  /** When it fails that call. */
  readonly when: 'before' | 'after';
  /** Always `'E_INJECTED_FAULT'`. */
  readonly code = 'E_INJECTED_FAULT';
  /** True once it was thrown. */
  fired = false;

  constructor(kind: FaultKind | 'crash', when: 'before' | 'after', message?: string) {
    super(message ?? `injected fault: ${kind} (${when})`);
    this.name = 'InjectedFault';
    this.kind = kind;
    this.when = when;
  }
}

interface Armed {
  fault: InjectedFault;
  left: number;
}

type Entry = [Uint8Array, Uint8Array];

/**
 * An abstract-level database of byte keys and values that forwards to `inner` and
 * fails the calls you arm with {@link FaultyLevel.inject}. `crash()` closes `inner`
 * and fails every later call, as if the process holding the database had died.
 *
 * @example
 * ```ts
 * let db!: FaultyLevel
 * const store = await openStore(S, { path, database: (p, o) => (db = FaultyLevel.wrap(p, o)) })
 * const fault = db.inject({ kind: 'batch' })
 * await assert.rejects(store.put(rec), (e) => e.code === 'E_IO' && e.cause === fault)
 * ```
 */
export class FaultyLevel extends AbstractLevel<Uint8Array, Uint8Array, Uint8Array> {
  readonly #inner: Database;
  #armed: Armed[] = [];
  #crashed: InjectedFault | undefined;
  /** Calls made so far, by kind. */
  readonly calls: Record<FaultKind, number> = {
    open: 0,
    batch: 0,
    put: 0,
    del: 0,
    get: 0,
    getSync: 0,
    getMany: 0,
    next: 0,
  };
  /** Faults thrown so far, in order. */
  readonly injected: InjectedFault[] = [];

  /** Wraps `inner`, which must use the `'view'` key and value encodings. */
  constructor(inner: Database) {
    super(
      {
        encodings: { view: true },
        permanence: inner.supports.permanence,
        seek: true,
        getSync: (inner.supports as { getSync?: boolean }).getSync === true,
        createIfMissing: true,
        errorIfExists: true,
      } as ConstructorParameters<typeof AbstractLevel>[0],
      { keyEncoding: 'view', valueEncoding: 'view' },
    );
    this.#inner = inner;
  }

  /**
   * The database `openStore` would have made (classic-level at `path`, memory-level
   * without one), wrapped: a `database` factory as it stands.
   */
  static wrap(path: string | undefined, options: DatabaseOptions): FaultyLevel {
    const inner =
      path === undefined
        ? new MemoryLevel<Uint8Array, Uint8Array>({
            keyEncoding: 'view',
            valueEncoding: 'view',
          })
        : new (levelModule().ClassicLevel)<Uint8Array, Uint8Array>(path, options);
    return new FaultyLevel(inner as unknown as Database);
  }

  /** The wrapped database. */
  get inner(): Database {
    return this.#inner;
  }

  /** Arms a fault; it fires once. Returns the error it will throw. */
  inject(options: FaultOptions): InjectedFault {
    const fault = new InjectedFault(options.kind, options.when ?? 'before');
    this.#armed.push({ fault, left: options.skip ?? 0 });
    return fault;
  }

  /** Disarms every fault that has not fired. */
  disarm(): void {
    this.#armed = [];
  }

  /**
   * Closes the inner database without anything more reaching it, and fails every later
   * call: what a store sees when its process dies, except that the store object lives on.
   * Closing the store afterwards releases its directory and writes nothing.
   */
  async crash(): Promise<void> {
    this.#crashed ??= new InjectedFault('crash', 'before', 'injected fault: the database crashed');
    this.#armed = [];
    await this.#inner.close();
  }

  /** True after `crash()`. */
  get crashed(): boolean {
    return this.#crashed !== undefined;
  }

  /**
   * Counts a call of `kind` and returns the fault aimed at this very call, if any; a
   * fault for before the call is thrown here.
   */
  #take(kind: FaultKind): InjectedFault | undefined {
    if (this.#crashed !== undefined) throw this.#crashed;
    this.calls[kind]++;
    let hit: Armed | undefined;
    for (const a of this.#armed) {
      if (a.fault.kind !== kind) continue;
      if (a.left > 0) a.left--;
      else hit ??= a;
    }
    if (hit === undefined) return undefined;
    this.#armed.splice(this.#armed.indexOf(hit), 1);
    const fault = hit.fault;
    if (fault.when === 'before') this.#fire(fault);
    return fault;
  }

  #fire(fault: InjectedFault): never {
    fault.fired = true;
    this.injected.push(fault);
    throw fault;
  }

  /** Runs `call` on the inner database, failing it before or after as armed. */
  async #around<T>(kind: FaultKind, call: () => Promise<T>): Promise<T> {
    const fault = this.#take(kind);
    const out = await call();
    if (fault !== undefined) this.#fire(fault);
    return out;
  }

  /** @internal A synchronous call (getSync), failing it before or after as armed. */
  _aroundSync<T>(kind: FaultKind, call: () => T): T {
    const fault = this.#take(kind);
    const out = call();
    if (fault !== undefined) this.#fire(fault);
    return out;
  }

  /** @internal An iterator step. */
  _step<T>(call: () => Promise<T>): Promise<T> {
    return this.#around('next', call);
  }

  async _open(): Promise<void> {
    try {
      await this.#around('open', () => this.#inner.open());
    } catch (err) {
      // A database that fails to open holds nothing: the inner one (which may have opened
      // by itself, abstract-level opening every database on its own) is closed again.
      await this.#inner.close().catch(() => undefined);
      throw err;
    }
  }

  async _close(): Promise<void> {
    await this.#inner.close();
  }

  async _get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#around('get', () => this.#inner.get(key));
  }

  _getSync(key: Uint8Array): Uint8Array | undefined {
    return this._aroundSync('getSync', () => this.#inner.getSync(key));
  }

  async _getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.#around('getMany', () => this.#inner.getMany(keys));
  }

  async _put(key: Uint8Array, value: Uint8Array, options: { sync?: boolean }): Promise<void> {
    await this.#around('put', () => this.#inner.put(key, value, syncOnly(options) as never));
  }

  async _del(key: Uint8Array, options: { sync?: boolean }): Promise<void> {
    await this.#around('del', () => this.#inner.del(key, syncOnly(options) as never));
  }

  async _batch(
    ops: { type: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }[],
    options: { sync?: boolean },
  ): Promise<void> {
    const plain = ops.map((op) =>
      op.type === 'put'
        ? { type: 'put' as const, key: op.key, value: op.value! }
        : { type: 'del' as const, key: op.key },
    );
    await this.#around('batch', () => this.#inner.batch(plain, syncOnly(options) as never));
  }

  _iterator(options: Record<string, unknown>): FaultyIterator {
    if (this.#crashed !== undefined) throw this.#crashed;
    const range: Record<string, unknown> = {};
    for (const k of ['gt', 'gte', 'lt', 'lte', 'reverse', 'limit', 'keys', 'values'])
      if (options[k] !== undefined) range[k] = options[k];
    return new FaultyIterator(this, options, this.#inner.iterator(range));
  }
}

/** An iterator of a {@link FaultyLevel}: each step is a `next` call. */
class FaultyIterator extends AbstractIterator<FaultyLevel, Uint8Array, Uint8Array> {
  readonly #db: FaultyLevel;
  readonly #inner: ReturnType<Database['iterator']>;

  constructor(
    db: FaultyLevel,
    options: Record<string, unknown>,
    inner: ReturnType<Database['iterator']>,
  ) {
    super(db, options);
    this.#db = db;
    this.#inner = inner;
  }

  async _next(): Promise<Entry | undefined> {
    return (await this.#db._step(() => this.#inner.next())) as Entry | undefined;
  }

  async _nextv(size: number): Promise<Entry[]> {
    return (await this.#db._step(() => this.#inner.nextv(size))) as Entry[];
  }

  async _all(): Promise<Entry[]> {
    return (await this.#db._step(() => this.#inner.all())) as Entry[];
  }

  async _close(): Promise<void> {
    await this.#inner.close();
  }
}

/**
 * classic-level, required on the first on-disk `wrap`: importing
 * `leanrec/testing` loads no native binding. `wrap` is synchronous (a `database` factory
 * returns the database), hence `require` (both packages are CommonJS), not `import()`.
 */
function levelModule(): typeof import('classic-level') {
  return createRequire(import.meta.url)('classic-level') as typeof import('classic-level');
}

/** The options passed on to the inner database: classic-level's `sync`, nothing else. */
function syncOnly(options: { sync?: boolean } | undefined): object {
  return options?.sync === undefined ? {} : { sync: options.sync };
}
