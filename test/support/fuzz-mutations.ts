/**
 * Seeded mutations of JSON documents for fuzz tests: type swaps, field deletions, wrong types,
 * huge strings, weird unicode (NUL, lone surrogates, bidi controls), prototype names, invalid URLs
 * and deep nesting. Pure: the same seed gives the same documents.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const AP_TYPES = ['Create', 'Update', 'Delete', 'Undo', 'Follow', 'Accept', 'Reject', 'Announce', 'Like', 'Dislike', 'View', 'Flag', 'CacheFile', 'Video', 'Note', 'Person', 'Group', 'Application', 'Tombstone', 'Collection', 'OrderedCollectionPage', 'Link', '', 'create', 'Create ', 'Object'];
const WEIRD_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '\u202eevil\u202c',
  '\ufeff',
  '\u0301\u0301\u0301',
  '🎥🇫🇷👩‍👩‍👧',
  '\u200b',
  '\r\n\t\\"',
  '%00%2e%2e%2f',
  "'; DROP TABLE \"Video\"; --",
  '${jndi:ldap://127.0.0.1:1/x}',
  '<script>alert(1)</script>',
];
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const BAD_URLS = [
  'http://',
  'javascript:alert(1)',
  'http://[::1',
  'http://127.0.0.1:1/../../etc/passwd',
  'file:///etc/passwd',
  '//127.0.0.1:1/x',
  'http://user:pass@127.0.0.1:1/',
  'http://127.0.0.1:99999/',
  'ftp://127.0.0.1:1/x',
  'http://127.0.0.1:1/%00',
  'http://0x7f.1:1/',
  'not a url',
  'http://127.0.0.1:1/' + 'a'.repeat(5000),
];

export interface Mutator {
  /** 1 to 3 mutations of a deep copy of `doc`, with a label of each. */
  mutate(doc: Json): { doc: Json; labels: string[] };
  pick<T>(items: readonly T[]): T;
  int(max: number): number;
}

export function createMutator(random: () => number): Mutator {
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

  /** every container (object or array) of the document with a path */
  function containers(doc: Json): Json[] {
    const out: Json[] = [];
    const walk = (v: Json, depth: number) => {
      if (depth > 40 || v === null || typeof v !== 'object') return;
      out.push(v);
      for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child, depth + 1);
    };
    walk(doc, 0);
    return out;
  }

  function wrongValue(): Json {
    return pick<() => Json>([
      () => null,
      () => true,
      () => -1,
      () => 1e308,
      () => -0,
      () => 2 ** 53 + 1,
      () => 9_999_999_999,
      () => 0.5,
      () => [],
      () => ({}),
      () => [[[]]],
      () => '',
      () => '12',
      () => ['x', 1, null],
      () => ({ id: 1, type: 7 }),
    ])();
  }

  function hugeString(): string {
    const unit = pick(['a', 'é', '🎥', '\u0000', 'ab\ud800', ' ', '/']);
    return unit.repeat(1000 + int(150_000));
  }

  function deepNest(value: Json): Json {
    const depth = 50 + int(2000);
    let v = value;
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { nested: v };
    return v;
  }

  const mutations: [string, (doc: Json) => Json][] = [
    [
      'type-swap',
      (doc) => {
        const objs = containers(doc).filter((c): c is { [k: string]: Json } => !Array.isArray(c) && c !== null && typeof c === 'object');
        const target = objs.length > 0 ? pick(objs) : null;
        if (target) target.type = pick(AP_TYPES);
        return doc;
      },
    ],
    [
      'delete-field',
      (doc) => {
        const objs = containers(doc).filter((c): c is { [k: string]: Json } => !Array.isArray(c) && Object.keys(c as object).length > 0);
        if (objs.length === 0) return doc;
        const target = pick(objs);
        delete target[pick(Object.keys(target))];
        return doc;
      },
    ],
    ['wrong-type', (doc) => replaceRandomValue(doc, () => wrongValue())],
    ['huge-string', (doc) => replaceRandomValue(doc, () => hugeString())],
    ['weird-unicode', (doc) => replaceRandomValue(doc, (old) => (typeof old === 'string' && random() < 0.5 ? old.slice(0, int(old.length + 1)) + pick(WEIRD_STRINGS) + old.slice(int(old.length + 1)) : pick(WEIRD_STRINGS)))],
    [
      'prototype-name',
      (doc) => {
        const objs = containers(doc).filter((c): c is { [k: string]: Json } => !Array.isArray(c) && c !== null && typeof c === 'object');
        if (objs.length === 0) return doc;
        // an own property even for __proto__ (as JSON.parse makes it)
        Object.defineProperty(pick(objs), pick(PROTOTYPE_NAMES), { value: pick<Json>([{ polluted: true }, 'x', null, 1, []]), enumerable: true, writable: true, configurable: true });
        return doc;
      },
    ],
    ['invalid-url', (doc) => replaceRandomValue(doc, (old) => (typeof old === 'string' || random() < 0.3 ? pick(BAD_URLS) : old))],
    ['deep-nesting', (doc) => replaceRandomValue(doc, (old) => deepNest(old))],
    ['weird-key', (doc) => replaceRandomKey(doc, () => pick([...WEIRD_STRINGS, '', 'a'.repeat(10_000)]))],
  ];

  function replaceRandomValue(doc: Json, make: (old: Json) => Json): Json {
    const slots: [Json[] | { [k: string]: Json }, string | number][] = [];
    for (const c of containers(doc)) {
      if (Array.isArray(c)) c.forEach((_v, i) => slots.push([c, i]));
      else for (const k of Object.keys(c as object)) slots.push([c as { [k: string]: Json }, k]);
    }
    if (slots.length === 0) return make(doc);
    const [holder, key] = pick(slots);
    (holder as Record<string | number, Json>)[key] = make((holder as Record<string | number, Json>)[key]!);
    return doc;
  }

  function replaceRandomKey(doc: Json, make: () => string): Json {
    const objs = containers(doc).filter((c): c is { [k: string]: Json } => !Array.isArray(c) && Object.keys(c as object).length > 0);
    if (objs.length === 0) return doc;
    const target = pick(objs);
    const key = pick(Object.keys(target));
    const value = target[key]!;
    delete target[key];
    target[make()] = value;
    return doc;
  }

  return {
    int,
    pick,
    mutate(original) {
      let doc = JSON.parse(JSON.stringify(original)) as Json;
      const labels: string[] = [];
      const n = 1 + int(3);
      for (let i = 0; i < n; i++) {
        const [label, apply] = pick(mutations);
        labels.push(label);
        doc = apply(doc);
      }
      return { doc, labels };
    },
  };
}
