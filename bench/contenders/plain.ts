/**
 * `npm run bench`, contender "plain objects + Map": what apps do today. Every record of the
 * index as the plain object `readPackages` yields, in a `Map` by
 * `package\0version\0architecture`.
 *
 * W3 and W5: `map.get` with the key built per lookup, then the fields. W4: loops over an
 * array of the objects (the fastest loop plain objects have). W5: every field is in RAM,
 * so "uncached" and "cached" are the same reads. W6: the reference verify
 * (bench/lib/verify-reference.ts) over the objects.
 */
import type { DebianPackage } from 'leanrec/debian';
import { plainKey } from '../lib/debian.ts';
import { runWorkloads } from '../lib/suite.ts';
import { verifyReference } from '../lib/verify-reference.ts';

const map = new Map<string, DebianPackage>();
/** The objects as an array, made on W4's first (untimed) call: after W2, as an app's list. */
let array: DebianPackage[] | undefined;
const list = () => (array ??= [...map.values()]);
const get = (p: string, v: string, a: string) => map.get(plainKey(p, v, a))!;

await runWorkloads({
  async ingest(records) {
    for await (const r of records) map.set(plainKey(r.package, r.version, r.architecture), r);
    return map.size;
  },
  lookup(p, v, a) {
    const o = get(p, v, a);
    return o.package.length + o.version.length + (o.section?.length ?? 0);
  },
  countPriority() {
    const objs = list();
    let n = 0;
    for (let i = 0; i < objs.length; i++) {
      const p = objs[i]!.priority;
      if (p === 'required' || p === 'important') n++;
    }
    return n;
  },
  countGamesAll() {
    const objs = list();
    let n = 0;
    for (let i = 0; i < objs.length; i++) {
      const o = objs[i]!;
      if (o.section === 'games' && o.architecture === 'all') n++;
    }
    return n;
  },
  verify: () =>
    verifyReference((visit) => {
      for (const o of list()) visit(o);
    }),
  fetch(p, v, a) {
    const o = get(p, v, a);
    return (o.description?.length ?? 0) + (o.maintainer?.length ?? 0) + (o.depends?.length ?? 0);
  },
});
