// Serves a mirror of one Packages.gz on loopback, enough for `aptly mirror create/update`:
// dists/bookworm/Release (listing the file with its checksums), the file itself, and every
// pool/ path answered with a 1-byte body (update with -ignore-checksums).
//   node bench/aptly/serve-mirror.mjs <Packages.gz> <port>

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const gz = readFileSync(process.argv[2]);
const h = (a) => createHash(a).update(gz).digest('hex');
const line = (a) => ` ${h(a)} ${gz.length} main/binary-amd64/Packages.gz`;
const release = `Origin: Debian\nLabel: Debian\nSuite: stable\nCodename: bookworm\nArchitectures: amd64\nComponents: main\nDate: Sat, 10 Jun 2023 08:53:33 UTC\nMD5Sum:\n${line('md5')}\nSHA1:\n${line('sha1')}\nSHA256:\n${line('sha256')}\n`;
createServer((req, res) => {
  const u = req.url;
  if (u.endsWith('/dists/bookworm/Release')) {
    res.end(release);
    return;
  }
  if (u.endsWith('/dists/bookworm/main/binary-amd64/Packages.gz')) {
    res.end(gz);
    return;
  }
  if (u.includes('/pool/')) {
    res.end('x');
    return;
  }
  res.statusCode = 404;
  res.end();
}).listen(Number(process.argv[3]), '127.0.0.1');
