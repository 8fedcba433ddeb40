/**
 * Seeded randomness for the simulator. Everything "random" in a simulated tenant comes from an Rng
 * whose state is derived from the seed and a stable key (tenant, slot …), so the same seed and clock
 * give the same tenants and records, and any time slot can be generated alone, in any order.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, PractRand-clean, 128-bit state)
 * seeded from four FNV-1a/murmur-finalised hashes of the key, so two different keys share a sequence
 * only if all four 32-bit hashes collide. Never Math.random.
 */

/** FNV-1a 32-bit with the murmur3 finaliser, so nearby keys spread. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Char codes of 0-9a-f. */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for the key; the same key always gives the same sequence. */
  static of(...key: (string | number)[]): Rng {
    const base = key.join('|');
    return new Rng(hash32(`${base}#a`), hash32(`${base}#b`), hash32(`${base}#c`), hash32(`${base}#d`));
  }

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    for (let i = 0; i < 12; i++) this.next32(); // mix the seed state, as sfc32's author recommends
  }

  /** sfc32 step: a uniformly distributed unsigned 32-bit integer. */
  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    return this.next32() / 0x1_0000_0000;
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: nothing to pick from');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One item by weight: `[[item, weight], …]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  /** Poisson-distributed count with the given mean (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) {
      const u = Math.max(this.next(), 1e-12);
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
    }
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /**
   * Lower-case hex of n digits. Built from char codes in one call, so the result is one flat string:
   * slices and concatenations would keep larger ropes alive in every record held in memory.
   */
  hex(n: number): string {
    const codes: number[] = new Array<number>(n);
    let word = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 7) === 0) word = this.next32();
      codes[i] = HEX[(word >>> ((i & 7) * 4)) & 15]!;
    }
    return String.fromCharCode(...codes);
  }

  /** A random (version 4, RFC 4122 variant) GUID, lower case, as one flat string. */
  guid(): string {
    const codes: number[] = new Array<number>(36);
    let word = 0;
    for (let i = 0, d = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        codes[i] = 45; // '-'
        continue;
      }
      if ((d & 7) === 0) word = this.next32();
      codes[i] = HEX[(word >>> ((d & 7) * 4)) & 15]!;
      d++;
    }
    codes[14] = 52; // version 4
    codes[19] = HEX[8 + (word & 3)]!; // variant 8, 9, a or b
    return String.fromCharCode(...codes);
  }
}

/** A stable GUID for a key (tenant ids, user ids …): the first GUID of the key's Rng. */
export function stableGuid(...key: (string | number)[]): string {
  return Rng.of(...key).guid();
}
