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
import { parseRelations } from 'leanrec/debian';
import { satisfies } from '../../src/query/version.ts';

/** The names under which a record holds the fields the verify reads. */
export interface VerifyFieldNames {
  package: string;
  version: string;
  provides: string;
  preDepends: string;
  depends: string;
}

/** Field names of `debianPackages` records (as `readPackages` yields them). */
export const RECORD_FIELDS: VerifyFieldNames = {
  package: 'package',
  version: 'version',
  provides: 'provides',
  preDepends: 'preDepends',
  depends: 'depends',
};

/** Field names of a paragraph turned into an object (deb822 names). */
export const DEB822_FIELDS: VerifyFieldNames = {
  package: 'Package',
  version: 'Version',
  provides: 'Provides',
  preDepends: 'Pre-Depends',
  depends: 'Depends',
};

/** Calls `visit` for every record; called once per pass. */
export type EachRecord = (visit: (record: Readonly<Record<string, unknown>>) => void) => void;

/** The number of unsatisfied Pre-Depends and Depends groups. */
export function verifyReference(each: EachRecord, names: VerifyFieldNames = RECORD_FIELDS): number {
  const real = new Map<string, string[]>();
  const provided = new Map<string, (string | null)[]>();
  each((p) => {
    const name = p[names.package] as string;
    let list = real.get(name);
    if (list === undefined) real.set(name, (list = []));
    list.push(p[names.version] as string);
    const prov = p[names.provides] as string | undefined;
    if (prov !== undefined)
      for (const g of parseRelations(prov, 'Provides'))
        for (const r of g) {
          let l = provided.get(r.name);
          if (l === undefined) provided.set(r.name, (l = []));
          l.push(r.op === '=' && r.version !== undefined ? r.version : null);
        }
  });
  const fields = [
    [names.preDepends, 'Pre-Depends'],
    [names.depends, 'Depends'],
  ] as const;
  let unsatisfied = 0;
  each((p) => {
    for (const [key, field] of fields) {
      const text = p[key] as string | undefined;
      if (text === undefined) continue;
      for (const g of parseRelations(text, field)) {
        const ok = g.some((alt) => {
          for (const v of real.get(alt.name) ?? [])
            if (alt.op === undefined || satisfies(v, alt.op, alt.version!)) return true;
          const prov = provided.get(alt.name);
          if (prov === undefined) return false;
          if (alt.op === undefined) return true;
          return prov.some((v) => v !== null && satisfies(v, alt.op!, alt.version!));
        });
        if (!ok) unsatisfied++;
      }
    }
  });
  return unsatisfied;
}
