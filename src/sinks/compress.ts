/** gzip for request bodies, off the main thread (libuv pool) and at level 1: speed over ratio on a LAN. */
import { promisify } from 'node:util';
import { gzip as gzipCb, constants } from 'node:zlib';

const gzipAsync = promisify(gzipCb);

export function gzip(body: string | Buffer): Promise<Buffer> {
  return gzipAsync(body, { level: constants.Z_BEST_SPEED });
}
