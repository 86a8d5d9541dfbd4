/** "Did you mean" for unknown config keys. */

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Case, `_` and `-` are the commonest slips; compare without them. */
const normalise = (key: string): string => key.toLowerCase().replace(/[_-]/g, '.');

/**
 * Closest known key: by edit distance (at most 2, or a quarter of the key for long keys), else the one
 * known key that the unknown key is a dotted suffix or prefix-extension of (`bootstrap.servers`).
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const target = normalise(unknown);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of known) {
    const distance = editDistance(target, normalise(key));
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(target.length / 4))) return best;
  const related = known.filter((key) => {
    const k = normalise(key);
    return k.endsWith(`.${target}`) || target.endsWith(`.${k}`);
  });
  return related.length === 1 ? related[0] : undefined;
}
