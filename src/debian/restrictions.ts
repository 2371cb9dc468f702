/**
 * The restrictions of a build relation: architecture lists (`[amd64 !i386 linux-any]`)
 * with wildcards matched as dpkg-architecture matches them, and build-profile formulas
 * (`<!nocheck> <stage1 cross>`).
 *
 * dpkg splits an architecture into a tuple abi-libc-os-cpu (`amd64` is base-gnu-linux-
 * amd64, `armhf` eabihf-gnu-linux-arm); a wildcard is a tuple with `any` parts, written
 * short from the right (`linux-any` = any-any-linux-any, `any-arm` = any-any-any-arm,
 * `musl-linux-any` = any-musl-linux-any); `any` alone matches every architecture.
 */
import type { Relation } from '../query/relations.ts';

type Tuple = readonly [abi: string, libc: string, os: string, cpu: string];

/** The Debian architectures whose tuple is not base-gnu-linux-<name> (dpkg's tupletable). */
const TUPLES: Record<string, Tuple> = {
  armel: ['eabi', 'gnu', 'linux', 'arm'],
  armhf: ['eabihf', 'gnu', 'linux', 'arm'],
  arm: ['base', 'gnu', 'linux', 'arm'],
  x32: ['x32', 'gnu', 'linux', 'amd64'],
  mips64el: ['abi64', 'gnu', 'linux', 'mips64el'],
  mipsn32el: ['abin32', 'gnu', 'linux', 'mips64el'],
  powerpcspe: ['spe', 'gnu', 'linux', 'powerpc'],
  lpia: ['lpia', 'gnu', 'linux', 'i386'],
  uclibc: ['base', 'uclibc', 'linux', 'amd64'],
};

/** The tuple of an architecture name (`kfreebsd-amd64`, `musl-linux-arm64`, `amd64`). */
export function archTuple(arch: string): Tuple {
  const known = TUPLES[arch];
  if (known !== undefined) return known;
  const parts = arch.split('-');
  if (parts.length === 1) return ['base', 'gnu', 'linux', arch];
  if (parts.length === 2) {
    // `kfreebsd-amd64`, `hurd-i386`; `musl-linux-…` below has three parts.
    const [os, cpu] = parts as [string, string];
    return ['base', 'gnu', os, cpu];
  }
  if (parts.length === 3) {
    const [libc, os, cpu] = parts as [string, string, string];
    return ['base', libc, os, cpu];
  }
  return parts.slice(-4) as unknown as Tuple;
}

/** Whether `arch` is matched by the architecture name or wildcard `term` (dpkg's rules). */
export function archMatches(arch: string, term: string): boolean {
  if (term === arch || term === 'any') return true;
  if (!term.includes('any')) return false;
  const parts = term.split('-');
  // The wildcard, aligned to the right of a full tuple: missing parts are `any`.
  const wild: string[] = ['any', 'any', 'any', 'any'];
  if (parts.length === 2) [wild[2], wild[3]] = parts as [string, string];
  else if (parts.length === 3) [wild[1], wild[2], wild[3]] = parts as [string, string, string];
  else if (parts.length === 4) wild.splice(0, 4, ...parts);
  else return false;
  const t = archTuple(arch);
  return wild.every((w, i) => w === 'any' || w === t[i]);
}

/**
 * Whether an architecture list (`amd64 !i386 linux-any`, as parsed) admits `arch`: a
 * list of negations admits what none of them names; otherwise what some positive term
 * names, and no negation excludes.
 */
export function archListAdmits(list: readonly string[] | undefined, arch: string): boolean {
  if (list === undefined || list.length === 0) return true;
  let positive = false;
  let matched = false;
  for (const term of list) {
    if (term.startsWith('!')) {
      if (archMatches(arch, term.slice(1))) return false;
    } else {
      positive = true;
      if (archMatches(arch, term)) matched = true;
    }
  }
  return !positive || matched;
}

/**
 * Whether the build-profile formula of a relation holds for the active `profiles`: one
 * of its `<…>` groups holds when all its terms do (`name`: active, `!name`: not active).
 * No formula: always.
 */
export function profilesAdmit(
  formula: readonly (readonly string[])[] | undefined,
  profiles: ReadonlySet<string>,
): boolean {
  if (formula === undefined || formula.length === 0) return true;
  return formula.some((group) =>
    group.every((term) =>
      term.startsWith('!') ? !profiles.has(term.slice(1)) : profiles.has(term),
    ),
  );
}

/** Whether `rel` applies when building for `arch` with `profiles`. */
export function applies(rel: Relation, arch: string, profiles: ReadonlySet<string>): boolean {
  return archListAdmits(rel.arches, arch) && profilesAdmit(rel.profiles, profiles);
}
