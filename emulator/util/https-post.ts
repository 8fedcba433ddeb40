import { request } from 'node:https';
import { rootCertificates } from 'node:tls';

/**
 * The emulator as an HTTPS client (webhook validation and notifications): it trusts the public roots
 * and its own CA, so a test server with a certificate from that CA works; verification stays on.
 */
export function httpsPost(
  url: string,
  body: string,
  headers: Record<string, string>,
  caPem: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Length': String(Buffer.byteLength(body)), ...headers },
        ca: [...rootCertificates, caPem],
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
