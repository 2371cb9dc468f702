/**
 * The real packages of a store, as dependency verification looks them up: by name, the
 * version and architecture of each package of that name.
 *
 * Built once from the hot tier (one pass of reused views, no cold read), then read per
 * alternative of every relation group. Nothing per package is an object: the names and
 * the versions are each one string (all of them joined) with offsets in a `Uint32Array`,
 * architectures a `Uint16Array` of codes, and the name lookup an open-addressing table of
 * positions (`Int32Array`, FNV-1a of the name, the name compared in place) whose packages
 * of one name are chained through another `Int32Array`. On the Debian index (63,440
 * packages) it holds ≈ 3.4 MB; a `Map` of names with a version string per package held
 * 8.8 MB, and the store's secondary index searched per alternative (16 string comparisons,
 * each decoding from the string pool) took ≈ 1 s of a verify.
 */
import type { Store } from '../store/store.ts';
import type { debianPackages } from './schemas.ts';

type PackagesStore = Store<typeof debianPackages>;

/** Name → packages of that name (position, version, architecture). */
export class PackageIndex {
  readonly #names: string;
  readonly #nameAt: Uint32Array;
  readonly #versions: string;
  readonly #versionAt: Uint32Array;
  readonly #arch: Uint16Array;
  readonly #arches: readonly string[];
  /** Open addressing: the position of the first package of a name, or -1. */
  readonly #slots: Int32Array;
  /** The next package with the same name, or -1. */
  readonly #next: Int32Array;

  /** The index of every live record of `store` (hot fields only). */
  static fromStore(store: PackagesStore): PackageIndex {
    const names: string[] = [];
    const versions: string[] = [];
    const arches: string[] = [];
    for (const v of store.where(undefined, { reuse: true })) {
      names.push(v.package);
      versions.push(v.version);
      arches.push(v.architecture);
    }
    return new PackageIndex(names, versions, arches);
  }

  /** The packages given as three lists of the same length (name, version, architecture). */
  constructor(names: readonly string[], versions: readonly string[], arches: readonly string[]) {
    const n = names.length;
    this.#names = names.join('');
    this.#versions = versions.join('');
    this.#nameAt = offsets(names);
    this.#versionAt = offsets(versions);
    this.#arch = new Uint16Array(n);
    const codes = new Map<string, number>();
    const list: string[] = [];
    for (let i = 0; i < n; i++) {
      let code = codes.get(arches[i]!);
      if (code === undefined) {
        // A record's architecture is an enum value: at most 65,536 of them.
        code = list.length;
        list.push(arches[i]!);
        codes.set(arches[i]!, code);
      }
      this.#arch[i] = code;
    }
    this.#arches = list;
    let size = 16;
    while (size < 2 * n) size *= 2;
    this.#slots = new Int32Array(size).fill(-1);
    this.#next = new Int32Array(n).fill(-1);
    const mask = size - 1;
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      for (let s = hash(name) & mask; ; s = (s + 1) & mask) {
        const at = this.#slots[s]!;
        if (at < 0) {
          this.#slots[s] = i;
          break;
        }
        if (this.#nameIs(at, name)) {
          // Prepended: the order of a name's packages does not matter to a lookup.
          this.#next[i] = at;
          this.#slots[s] = i;
          break;
        }
      }
    }
  }

  #nameIs(i: number, name: string): boolean {
    const start = this.#nameAt[i]!;
    return this.#nameAt[i + 1]! - start === name.length && this.#names.startsWith(name, start);
  }

  /** Position of a package named `name`, or -1; the others follow with {@link next}. */
  first(name: string): number {
    const mask = this.#slots.length - 1;
    for (let s = hash(name) & mask; ; s = (s + 1) & mask) {
      const at = this.#slots[s]!;
      if (at < 0 || this.#nameIs(at, name)) return at;
    }
  }

  /** The next package with the same name as package `i`, or -1. */
  next(i: number): number {
    return this.#next[i]!;
  }

  version(i: number): string {
    return this.#versions.slice(this.#versionAt[i]!, this.#versionAt[i + 1]!);
  }

  architecture(i: number): string {
    return this.#arches[this.#arch[i]!]!;
  }

  /** The architectures of the packages, each once, in order of first appearance. */
  get architectures(): readonly string[] {
    return this.#arches;
  }

  /** Packages indexed. */
  get size(): number {
    return this.#next.length;
  }
}

/** Start offsets of `parts` in their concatenation, and its length last. */
function offsets(parts: readonly string[]): Uint32Array {
  const out = new Uint32Array(parts.length + 1);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out[i] = at;
    at += parts[i]!.length;
  }
  out[parts.length] = at;
  return out;
}

/** FNV-1a over the UTF-16 code units of `s`. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
