/**
 * `diffStores(a, b)`: what changed between two Packages indexes, per package and
 * architecture, as aptly's `snapshot diff` reports it.
 *
 *   generic diff by key (store/diff.ts)   removed (p, v, arch)   added (p, v', arch)
 *                                          changed (p, v, arch) → passed on as it comes
 *   removed and added of one (p, arch)    paired newest to newest → upgraded / downgraded
 *                                          (dpkg order); what is left → removed / added
 *
 * Only the differences are held in memory, never the stores' records.
 */

import { compareVersions } from '../query/version.ts';
import { type DiffOptions, diff } from '../store/diff.ts';
import type { Store } from '../store/store.ts';
import type { debianPackages } from './schemas.ts';

/** One difference between two Packages stores. */
export interface PackageDiff {
  /**
   * `added`/`removed`: the package has no version on the other side for this
   * architecture; `upgraded`/`downgraded`: its version went up/down (dpkg order);
   * `changed`: same version, other field values (named in `fields`).
   */
  kind: 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed';
  package: string;
  architecture: string;
  /** The version in a (absent for `added`). */
  versionA?: string;
  /** The version in b (absent for `removed`). */
  versionB?: string;
  /** For `changed`: the record fields that differ (`description`, `section`…). */
  fields?: string[];
}

type Packages = Store<typeof debianPackages>;

/** dpkg order, with text that is no valid version sorted as plain text after the valid ones. */
function byVersion(x: string, y: string): number {
  try {
    return compareVersions(x, y);
  } catch {
    return x < y ? -1 : x > y ? 1 : 0;
  }
}

/**
 * Streams the differences between Packages stores `a` and `b`: `changed` records as the
 * comparison finds them (in a's order), then, per package and architecture in name
 * order, the upgrades, downgrades, removals and additions.
 *
 * @param options - `cold: false` compares hot fields only (reads no cold group).
 * @example
 * ```ts
 * for await (const d of diffStores(yesterday, today))
 *   console.log(d.kind, d.package, d.architecture, d.versionA ?? '-', d.versionB ?? '-');
 * ```
 * @throws LeanrecError `E_ARGUMENT` when the stores have different schemas; `E_CLOSED`.
 */
export async function* diffStores(
  a: Packages,
  b: Packages,
  options: DiffOptions = {},
): AsyncGenerator<PackageDiff, void, undefined> {
  // (package, architecture) → the versions only in a, and only in b.
  const gone = new Map<string, { p: string; arch: string; a: string[]; b: string[] }>();
  const slot = (p: string, arch: string) => {
    const id = `${p}\0${arch}`;
    let s = gone.get(id);
    if (s === undefined) {
      s = { p, arch, a: [], b: [] };
      gone.set(id, s);
    }
    return s;
  };
  for await (const d of diff(a, b, options)) {
    const { package: p, version, architecture: arch } = d.key;
    if (d.kind === 'changed')
      yield {
        kind: 'changed',
        package: p,
        architecture: arch,
        versionA: version,
        versionB: version,
        fields: d.fields ?? [],
      };
    else slot(p, arch)[d.kind === 'removed' ? 'a' : 'b'].push(version);
  }
  const order = [...gone.values()].sort((x, y) =>
    x.p < y.p ? -1 : x.p > y.p ? 1 : x.arch < y.arch ? -1 : x.arch > y.arch ? 1 : 0,
  );
  for (const s of order) {
    const va = s.a.sort(byVersion).reverse();
    const vb = s.b.sort(byVersion).reverse();
    const n = Math.min(va.length, vb.length);
    const base = { package: s.p, architecture: s.arch };
    for (let i = 0; i < n; i++) {
      const c = byVersion(vb[i]!, va[i]!);
      yield {
        ...base,
        // Equal in dpkg's order but written differently (`1.0` vs `1.0-0`): a change of text.
        kind: c > 0 ? 'upgraded' : c < 0 ? 'downgraded' : 'changed',
        versionA: va[i]!,
        versionB: vb[i]!,
        ...(c === 0 ? { fields: ['version'] } : {}),
      };
    }
    for (let i = n; i < va.length; i++) yield { ...base, kind: 'removed', versionA: va[i]! };
    for (let i = n; i < vb.length; i++) yield { ...base, kind: 'added', versionB: vb[i]! };
  }
}
