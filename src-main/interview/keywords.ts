// Small, dependency-free text analysis shared by the local evaluator and the local question
// generator: word splitting, stop words, light stemming and keyword ranking. Deterministic by design.

const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have having ' +
    'he her here hers herself him himself his how i if in into is it its itself just me more most my myself no ' +
    'nor not now of off on once only or other our ours ourselves out over own same she should so some such than ' +
    'that the their theirs them themselves then there these they this those through to too under until up very ' +
    'was we were what when where which while who whom why will with would you your yours yourself yourselves ' +
    'get got make made use used using like well really thing things lot lots one two also etc able would shall ' +
    'may might must us let lets ive im dont didnt doesnt cant wont isnt arent wasnt youre theyre thats'
  ).split(' '),
);

/** Words of a text in lower case, letters/digits plus the + and # of C++/C#. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9][a-z0-9+#]*(?:['’][a-z]+)?/g) ?? [];
}

/** Collapses common English suffixes so "scaling", "scaled" and "scales" meet. */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const suffix of ['ations', 'ation', 'ings', 'ing', 'ies', 'ied', 'ers', 'er', 'ed', 'es', 's']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 4) return word.slice(0, -suffix.length);
  }
  return word;
}

export function contentWords(text: string): string[] {
  return words(text)
    .map((w) => w.replace(/['’].*$/, ''))
    .filter((w) => w.length >= 2 && !STOP_WORDS.has(w) && !/^\d+$/.test(w))
    .map(stem);
}

export function contentWordSet(text: string): Set<string> {
  return new Set(contentWords(text));
}

/**
 * The most frequent content words of a text, keeping their original spelling (first seen), ties
 * broken alphabetically so the result never depends on anything but the text.
 */
export function topKeywords(text: string, limit: number): string[] {
  const counts = new Map<string, { count: number; first: number; original: string }>();
  const raw = text.match(/[A-Za-z][A-Za-z0-9+#.]*[A-Za-z0-9+#]|[A-Za-z]/g) ?? [];
  raw.forEach((original, index) => {
    const lower = original.toLowerCase();
    if (lower.length < 3 || STOP_WORDS.has(lower)) return;
    const key = stem(lower);
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { count: 1, first: index, original });
  });
  return [...counts.entries()]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([, v]) => v.original);
}

export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => words(s).length > 0);
}
