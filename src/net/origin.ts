/**
 * Same-origin checks for URLs a service hands back (next links, content URIs): a credential meant for
 * one service may only travel to that service's scheme, host and port.
 */

/**
 * True when `url` has the scheme, host and port of `base` and carries no user info. Host names compare
 * without regard to case; the default port counts as given (https://h and https://h:443 are one origin).
 */
export function sameOrigin(url: string, base: string): boolean {
  try {
    const u = new URL(url);
    const b = new URL(base);
    return u.protocol === b.protocol && u.host.toLowerCase() === b.host.toLowerCase() && !u.username && !u.password;
  } catch {
    return false;
  }
}

/** The origin of a URL for messages ("https://host:port"), never its path or query (they may hold secrets). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an unparseable URL';
  }
}
