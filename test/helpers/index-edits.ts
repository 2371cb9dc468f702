/**
 * A modified copy of a Packages index for the diff tests: records removed, versions
 * bumped up and down, descriptions and sections changed, packages added — each chosen
 * among packages with one version per architecture, so the expected diff is known by
 * construction.
 */
import type { DebianPackage } from 'leanrec/debian';

/** The edited records and the TSV lines (`kind package architecture versionA versionB`) a diff must print. */
export interface Edited {
  records: DebianPackage[];
  /** Expected lines, `changed` ones with their fields after a tab. */
  expected: string[];
}

/** Edits every `step`-th eligible record of `records` (a fresh array; the input is kept). */
export function editIndex(records: readonly DebianPackage[], step: number): Edited {
  const perSlot = new Map<string, number>();
  for (const r of records) {
    const id = `${r.package}\0${r.architecture}`;
    perSlot.set(id, (perSlot.get(id) ?? 0) + 1);
  }
  const out: DebianPackage[] = [];
  const expected: string[] = [];
  let eligible = 0;
  for (const r of records) {
    const single = perSlot.get(`${r.package}\0${r.architecture}`) === 1;
    const pick = single ? eligible++ % step : -1;
    const line = (kind: string, a: string, b: string, fields = '') =>
      expected.push(
        `${kind}\t${r.package}\t${r.architecture}\t${a}\t${b}${fields && `\t${fields}`}`,
      );
    switch (pick) {
      case 1:
        line('removed', r.version, '-');
        continue;
      case 2:
        out.push({ ...r, version: `${r.version}+up1` });
        line('upgraded', r.version, `${r.version}+up1`);
        continue;
      case 3:
        out.push({ ...r, version: `${r.version}~down` });
        line('downgraded', r.version, `${r.version}~down`);
        continue;
      case 4:
        out.push({ ...r, description: `${r.description ?? ''} (edited)` });
        line('changed', r.version, r.version, 'description');
        continue;
      case 5:
        if (r.section !== 'misc' && r.section !== undefined) {
          out.push({ ...r, section: 'misc', installedSize: (r.installedSize ?? 0) + 1 });
          line('changed', r.version, r.version, 'section,installedSize');
          continue;
        }
    }
    out.push(r);
  }
  for (let k = 0; k < 3; k++) {
    const r = {
      ...records[0]!,
      package: `leanrec-test-${k}`,
      version: `1.${k}`,
      architecture: 'all',
    };
    delete r.source;
    delete r.sourceVersion;
    out.push(r);
    expected.push(`added\t${r.package}\tall\t-\t1.${k}`);
  }
  return { records: out, expected: expected.sort() };
}
