// Records aptly's answers to the query test suite as test/fixtures/aptly-queries.json.
// Needs aptly (Debian's package) and a snapshot `s` of the pinned index, made as README's
// "Query language" section describes (serve-mirror.mjs serves the mirror on loopback):
//   node bench/aptly/record-queries.mjs /path/to/aptly.conf
// Each answer is the count, the SHA-256 of the sorted "name_version_arch" lines joined by
// '\n', and the keys themselves when there are at most 60 of them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const QUERIES = [
  'Priority (required)',
  'Section (games), $Architecture (all)',
  'Name (% lib*-dev), Section (libdevel)',
  '$Version (>= 2.0), Section (utils)',
  'Priority (required) | Essential',
  '!Priority (optional), Section (admin)',
  '!(Priority (optional) | Priority (extra) | Section (libs))',
  'Name (~ ^python3-django)',
  "Name (% 'fonts-[a-c]*'), $Architecture (all)",
  'Name (% lib?-*)',
  'Name (% [^a-y]*)',
  '$Source (glibc)',
  '$Source (coreutils) | $SourceVersion (= 5.2.15-2)',
  '$SourceVersion (~ ^1:), Section (games)',
  '$Architecture (amd64), Section (shells)',
  '$Architecture (all), Section (shells)',
  '$Architecture (% a*), Priority (required)',
  '$PackageType (deb), Priority (important)',
  'bash',
  'mail-transport-agent',
  'libc6 (>= 2.36)',
  'perl (<< 5.36.0-8)',
  'x-terminal-emulator {amd64}',
  'awk {all}',
  'gawk (= 1:5.2.1-2)',
  'python3 (% 3.11*)',
  'bash_5.2.15-2+b13_amd64',
  'Version (<< 0.2)',
  '$Version (>> 1:0), Section (kernel)',
  '$Version (<= 0.0.1)',
  'Installed-Size (>= 200000)',
  'Installed-Size (<= 30)',
  'Maintainer (% *@debian.org>), Section (shells)',
  "Maintainer (~ 'Adrian Bunk'), Section (interpreters)",
  'Description (~ Tetris)',
  'Homepage (% https://*), Section (editors)',
  'Multi-Arch (same), Priority (required)',
  'Multi-Arch, Priority (required)',
  'Tag (~ game::), Section (games), Installed-Size (>= 20000)',
  'Source (~ "^bash \\\\(")',
  'Essential, !Priority (required)',
  'Priority (>> optional)',
  'Section (<< comm) | Section (>= zzz)',
  'Section (% *games) | Section (~ ^non-free/)',
  'Built-Using, Section (admin)',
  'Important | Protected',
];

const conf = process.argv[2];
const out = {};
for (const q of QUERIES) {
  let text = '';
  try {
    text = execFileSync('aptly', [`-config=${conf}`, 'snapshot', 'search', 's', q], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    if (!String(e.stderr).includes('no results')) throw e;
  }
  const keys = text
    .split('\n')
    .filter((l) => l !== '')
    .sort();
  const sha256 = createHash('sha256').update(keys.join('\n')).digest('hex');
  out[q] =
    keys.length <= 60 ? { count: keys.length, sha256, keys } : { count: keys.length, sha256 };
  console.log(keys.length, q);
}
writeFileSync(
  new URL('../../test/fixtures/aptly-queries.json', import.meta.url),
  `${JSON.stringify(out, null, 1)}\n`,
);
