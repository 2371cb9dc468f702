/**
 * The algorithm of `verifyDependencies` written over plain records, without leanrec: the
 * reference the benchmarks compare leanrec's verify with (same rules, so the same
 * unsatisfied groups must come out).
 *
 * Pass 1 collects every real package (name → versions) and what each package Provides
 * (name → provided version, or null for an unversioned Provides); pass 2 checks every
 * OR-group of Pre-Depends and Depends. The records are visited through `each`, called
 * once per pass, so a contender can stream them from its database instead of holding them.
 */
import { compareVersions, parseRelations, type Relation } from 'leanrec/debian';

/** The fields of a `debianPackages` record the verify reads. */
export interface VerifyFields {
  package: string;
  version: string;
  provides?: string | undefined;
  preDepends?: string | undefined;
  depends?: string | undefined;
}

/** Calls `visit` for every record; called once per pass. */
export type EachRecord = (visit: (record: VerifyFields) => void) => void;

/** Does `version` satisfy `op wanted` (Debian policy §7.1)? */
function satisfies(version: string, op: NonNullable<Relation['op']>, wanted: string): boolean {
  const c = compareVersions(version, wanted);
  return op === '<<'
    ? c < 0
    : op === '<='
      ? c <= 0
      : op === '='
        ? c === 0
        : op === '>='
          ? c >= 0
          : c > 0;
}

/** The number of unsatisfied Pre-Depends and Depends groups. */
export function verifyReference(each: EachRecord): number {
  const real = new Map<string, string[]>();
  const provided = new Map<string, (string | null)[]>();
  each((p) => {
    let list = real.get(p.package);
    if (list === undefined) real.set(p.package, (list = []));
    list.push(p.version);
    if (p.provides !== undefined)
      for (const g of parseRelations(p.provides, 'Provides'))
        for (const r of g) {
          let l = provided.get(r.name);
          if (l === undefined) provided.set(r.name, (l = []));
          l.push(r.op === '=' && r.version !== undefined ? r.version : null);
        }
  });
  const ok = (alt: Relation): boolean => {
    for (const v of real.get(alt.name) ?? [])
      if (alt.op === undefined || satisfies(v, alt.op, alt.version!)) return true;
    const prov = provided.get(alt.name);
    if (prov === undefined) return false;
    return (
      alt.op === undefined || prov.some((v) => v !== null && satisfies(v, alt.op!, alt.version!))
    );
  };
  const broken = (text: string, field: 'Pre-Depends' | 'Depends'): number => {
    let n = 0;
    for (const g of parseRelations(text, field)) if (!g.some(ok)) n++;
    return n;
  };
  let unsatisfied = 0;
  each((p) => {
    if (p.preDepends !== undefined) unsatisfied += broken(p.preDepends, 'Pre-Depends');
    if (p.depends !== undefined) unsatisfied += broken(p.depends, 'Depends');
  });
  return unsatisfied;
}
