/**
 * Synthetic Debian indexes of any size, made from the real one, for `npm run bench:scale`.
 *
 * The real index (N = 63,440 records for bookworm main amd64) is read once; record i of a
 * synthetic index of n records is made on demand from real record j = i mod N, "copy"
 * c = ⌊i / N⌋ (nothing holds the n records; record i and its key can be rebuilt from i):
 *
 * - package: the real name, plus `-s<c>` from copy 1 on (copy 0 is the real index), so
 *   keys stay unique and the distinct names grow with the size, as in a bigger archive;
 * - source: the real source name with the same suffix (absent stays absent: Debian then
 *   means "same as the package"); its version (binNMUs) is kept;
 * - version: copy 0 keeps the real one. Later copies take the version of another real
 *   record, picked by a seeded hash of i (so version strings keep their real shapes and
 *   frequencies, and repeat: the pool interns them), and one record in 8 gets a binNMU
 *   suffix `+b<c>` (so the set of distinct versions grows too, as in an archive holding
 *   several releases). The few real records whose (package, architecture) is not unique
 *   (two kernel versions of linux-doc, linux-source…) keep their real version, so the key
 *   (package, version, architecture) stays unique;
 * - every other field: the real record's (enums stay small: architecture, section,
 *   priority, multi-arch; numbers and flags as they are).
 *
 * The shuffle is a pure function of (i, seed): {@link Synthetic.versionOf}.
 */
import { type DebianPackage, readPackages } from 'leanrec/debian';
import { flatCopy as fresh } from '../../src/util/utf8.ts';
import { type Paragraph, packagesPath, readParagraphs } from './debian.ts';
import { pickIndices } from './harness.ts';

/** Default seed of the version shuffle (`SCALE_SEED` overrides it). */
export const SCALE_SEED = Number(process.env['SCALE_SEED'] ?? 0x5ca1ab1e) >>> 0;

/** The suffix of copy `c` (`''` for copy 0, the real index). */
export function suffix(c: number): string {
  return c === 0 ? '' : `-s${c}`;
}

/** murmur3's 32-bit finaliser: a well-mixed 32-bit hash of a 32-bit integer. */
function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The version shuffle, shared by every contender (it needs only the real versions). */
export class Synthetic {
  /** Real records in the index (N). */
  readonly templates: number;
  readonly #versions: readonly string[];
  /** 1 where the real record's (package, architecture) is not unique: keep its version. */
  readonly #keep: Uint8Array;
  readonly #seed: number;

  /**
   * @param versions the real versions, in index order
   * @param pkgArch the real `package\0architecture` of each record, in index order
   */
  constructor(versions: readonly string[], pkgArch: readonly string[], seed = SCALE_SEED) {
    this.templates = versions.length;
    this.#versions = versions;
    this.#seed = seed;
    const seen = new Map<string, number>();
    for (const k of pkgArch) seen.set(k, (seen.get(k) ?? 0) + 1);
    this.#keep = Uint8Array.from(pkgArch, (k) => (seen.get(k)! > 1 ? 1 : 0));
  }

  /** Real records whose version is never shuffled (their (package, architecture) repeats). */
  get kept(): number {
    let n = 0;
    for (const k of this.#keep) n += k;
    return n;
  }

  /** The version of synthetic record `i`. */
  versionOf(i: number): string {
    const n = this.templates;
    const j = i % n;
    const c = (i - j) / n;
    if (c === 0 || this.#keep[j] === 1) return this.#versions[j]!;
    const v = this.#versions[fmix32(i ^ this.#seed) % n]!;
    return (fmix32((i + 0x9e3779b9) ^ this.#seed) & 7) === 0 ? `${v}+b${c}` : v;
  }
}

/**
 * The keys of `count` synthetic records picked by the seeded sequence every contender
 * shares (`pickIndices`), as fresh strings in three parallel arrays.
 */
export function lookupKeys(
  syn: { keyAt(i: number): { package: string; version: string; architecture: string } },
  records: number,
  count: number,
): { qp: string[]; qv: string[]; qa: string[] } {
  const qp: string[] = [];
  const qv: string[] = [];
  const qa: string[] = [];
  for (const i of pickIndices(records, count)) {
    const k = syn.keyAt(i);
    qp.push(k.package);
    qv.push(k.version);
    qa.push(k.architecture);
  }
  return { qp, qv, qa };
}

// ── leanrec records (debianPackages) ──────────────────────────────────────────────────────

/** The real index as `debianPackages` records, and the synthetic records made from it. */
export class SyntheticPackages {
  readonly real: readonly DebianPackage[];
  readonly shuffle: Synthetic;

  private constructor(real: DebianPackage[], seed: number) {
    this.real = real;
    this.shuffle = new Synthetic(
      real.map((r) => r.version),
      real.map((r) => `${r.package}\0${r.architecture}`),
      seed,
    );
  }

  /** Reads the real index with `readPackages` (once). */
  static async load(path = packagesPath(), seed = SCALE_SEED): Promise<SyntheticPackages> {
    const real: DebianPackage[] = [];
    // `{ ...r }`: the parser's records are dictionary-mode objects, which V8 copies ~50×
    // slower than fast-mode ones; the copy keeps the generator's cost out of the figures.
    for await (const r of readPackages(path)) real.push({ ...r });
    return new SyntheticPackages(real, seed);
  }

  /** Synthetic record `i`: a new object, as a parser would yield it. */
  recordAt(i: number): DebianPackage {
    const n = this.real.length;
    const j = i % n;
    const c = (i - j) / n;
    const r = this.real[j]!;
    const s = suffix(c);
    const out: DebianPackage = { ...r, package: r.package + s, version: this.shuffle.versionOf(i) };
    if (r.source !== undefined) out.source = r.source + s;
    return out;
  }

  /** The key of synthetic record `i`, as fresh flat strings. */
  keyAt(i: number): { package: string; version: string; architecture: string } {
    const n = this.real.length;
    const j = i % n;
    const r = this.real[j]!;
    return {
      package: fresh(r.package + suffix((i - j) / n)),
      version: fresh(this.shuffle.versionOf(i)),
      architecture: fresh(r.architecture),
    };
  }

  /** Records 0 … count−1, made one at a time; `onProgress(i)` every 2^17 records. */
  *records(count: number, onProgress?: (done: number) => void): Generator<DebianPackage> {
    for (let i = 0; i < count; i++) {
      if (onProgress !== undefined && (i & 0x1ffff) === 0 && i > 0) onProgress(i);
      yield this.recordAt(i);
    }
  }
}

// ── plain objects (every field of the paragraph) ─────────────────────────────────────────

/**
 * The real index as paragraphs (read with `parseDeb822`, through bench/lib/debian.ts),
 * and synthetic plain objects made from them.
 */
export class SyntheticParagraphs {
  readonly real: readonly Paragraph[];
  readonly shuffle: Synthetic;
  /** Per real record: its Package, Architecture and Source name (without `(version)`). */
  readonly #pkg: string[];
  readonly #arch: string[];

  private constructor(real: Paragraph[], seed: number) {
    this.real = real;
    const field = (p: Paragraph, name: string) => p.find(([k]) => k === name)?.[1] ?? '';
    this.#pkg = real.map((p) => field(p, 'Package'));
    this.#arch = real.map((p) => field(p, 'Architecture'));
    this.shuffle = new Synthetic(
      real.map((p) => field(p, 'Version')),
      real.map((_, j) => `${this.#pkg[j]}\0${this.#arch[j]}`),
      seed,
    );
  }

  /** Reads the real index with `parseDeb822` (bench/lib/debian.ts's `readParagraphs`), once. */
  static async load(path = packagesPath(), seed = SCALE_SEED): Promise<SyntheticParagraphs> {
    const real: Paragraph[] = [];
    for await (const p of readParagraphs(path)) real.push(p);
    return new SyntheticParagraphs(real, seed);
  }

  /**
   * Synthetic record `i` as a plain object with every field of its paragraph, each value
   * a fresh flat string (what a parser hands an app: nothing shared between records).
   */
  objectAt(i: number): Record<string, string> {
    const n = this.real.length;
    const j = i % n;
    const c = (i - j) / n;
    const s = suffix(c);
    const o: Record<string, string> = {};
    for (const [k, v] of this.real[j]!) {
      if (k === 'Package') o[k] = fresh(v + s);
      else if (k === 'Version') o[k] = fresh(this.shuffle.versionOf(i));
      else if (k === 'Source') {
        const sp = v.indexOf(' ');
        o[k] = fresh(sp < 0 ? v + s : v.slice(0, sp) + s + v.slice(sp));
      } else o[k] = fresh(v);
    }
    return o;
  }

  /** The key parts of synthetic record `i`, as fresh flat strings. */
  keyAt(i: number): { package: string; version: string; architecture: string } {
    const n = this.real.length;
    const j = i % n;
    return {
      package: fresh(this.#pkg[j]! + suffix((i - j) / n)),
      version: fresh(this.shuffle.versionOf(i)),
      architecture: fresh(this.#arch[j]!),
    };
  }
}

/** Writes a progress line the parent reads (the last one says how far a failed run got). */
export function progress(records: number, t0: number): void {
  process.stderr.write(
    `scale-progress records=${records} ms=${Math.round(performance.now() - t0)} ` +
      `heapUsed=${process.memoryUsage().heapUsed}\n`,
  );
}
