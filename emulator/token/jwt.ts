import { createPublicKey, sign, verify, constants, type KeyObject } from 'node:crypto';

/**
 * Minimal JWS compact serialisation with node:crypto: RS256 and PS256, the two algorithms Entra ID
 * client assertions use (spec §1.3), and RS256 for the access tokens the emulator issues.
 */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKeyPem: string,
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const alg = header.alg;
  const signature =
    alg === 'PS256'
      ? sign('sha256', Buffer.from(input), {
          key: privateKeyPem,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        })
      : sign('sha256', Buffer.from(input), privateKeyPem);
  return `${input}.${b64url(signature)}`;
}

/** Splits and parses a JWT without checking it; null when it is not a JWT at all. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!header || typeof header !== 'object' || !payload || typeof payload !== 'object') return null;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, 'base64url'),
    };
  } catch {
    return null;
  }
}

/** Parsed public keys by PEM: every API request verifies a bearer token, and parsing the PEM each time was the emulator's largest single cost. */
const parsedKeys = new Map<string, KeyObject>();

function publicKey(pem: string): KeyObject {
  let key = parsedKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    if (parsedKeys.size > 1000) parsedKeys.clear();
    parsedKeys.set(pem, key);
  }
  return key;
}

/** Checks the signature of a decoded JWT with a public key or certificate; RS256 and PS256 only. */
export function verifyJwtSignature(jwt: DecodedJwt, key: KeyObject | string): boolean {
  const keyObject = typeof key === 'string' ? publicKey(key) : key;
  const data = Buffer.from(jwt.signingInput);
  if (jwt.header.alg === 'RS256') return verify('sha256', data, keyObject, jwt.signature);
  if (jwt.header.alg === 'PS256') {
    // PS256 salt is the hash length (32) by RFC 7518; accept any salt length a signer chose.
    return verify(
      'sha256',
      data,
      { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
      jwt.signature,
    );
  }
  return false;
}
