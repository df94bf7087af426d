// Property-based tests (fast-check) of the two patch formats the reference server accepts, through the
// records-service functions it uses: RFC 7396 JSON Merge Patch (`applyMergePatch`, `loadMergePatch`)
// and RFC 6902 JSON Patch (`loadJsonPatch`, `applyJsonPatch`). Negotiation, preconditions, the query
// parser and the range syntax have their own property suites in their packages.
import {
  applyJsonPatch,
  applyMergePatch,
  type JsonObject,
  type JsonValue,
  loadJsonPatch,
  loadMergePatch,
} from '@recordkit/records-service';
import { isRestError } from '@recordkit/rest-errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));
/** JSON values without null (null cannot be stored by a merge patch: it means "remove"). */
const { value: noNull } = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.boolean(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
const object = fc.dictionary(key, noNull, { maxKeys: 6 }) as fc.Arbitrary<JsonObject>;
/** Merge patches: like objects, but any member may be null. */
const { patch } = fc.letrec<{ patch: JsonObject }>((tie) => ({
  patch: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, fc.constant(null), noNull, tie('patch')), {
    maxKeys: 5,
  }) as fc.Arbitrary<JsonObject>,
}));

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A merge patch that turns `a` into `b` (both without null members): the inverse the properties check against. */
function mergeDiff(a: JsonObject, b: JsonObject): JsonObject {
  const diff: JsonObject = {};
  for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) diff[k] = null;
  for (const [k, v] of Object.entries(b)) {
    const old = Object.hasOwn(a, k) ? a[k] : undefined;
    if (isObject(old) && isObject(v)) {
      const inner = mergeDiff(old, v);
      if (Object.keys(inner).length) diff[k] = inner;
    } else if (old === undefined || JSON.stringify(old) !== JSON.stringify(v) || isObject(v)) {
      // An object replacing a non-object is sent whole: merging it into nothing yields itself.
      diff[k] = v;
    }
  }
  return diff;
}

/** A patch with its nulls removed, as RFC 7396 stores a patch object merged into nothing. */
function withoutNulls(value: JsonValue): JsonValue {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, withoutNulls(v)]])));
}

describe('applyMergePatch (RFC 7396 §2)', () => {
  it('turns any object into any other through their diff', () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        expect(applyMergePatch(a, mergeDiff(a, b))).toEqual(b);
      }),
    );
  });

  it('is idempotent: applying the same patch twice equals applying it once', () => {
    fc.assert(
      fc.property(object, patch, (target, p) => {
        const once = applyMergePatch(target, p);
        expect(applyMergePatch(once, p)).toEqual(once);
      }),
    );
  });

  it('removes members patched with null, sets the others, and keeps members the patch does not name', () => {
    fc.assert(
      fc.property(object, patch, (target, p) => {
        const result = applyMergePatch(target, p) as JsonObject;
        for (const [k, v] of Object.entries(p)) {
          if (v === null) expect(Object.hasOwn(result, k)).toBe(false);
          else if (!isObject(v)) expect(result[k]).toEqual(v);
          else if (!isObject(target[k])) expect(result[k]).toEqual(withoutNulls(v));
        }
        for (const k of Object.keys(target)) if (!Object.hasOwn(p, k)) expect(result[k]).toEqual(target[k]);
      }),
    );
  });

  it('never changes its arguments', () => {
    fc.assert(
      fc.property(object, patch, (target, p) => {
        const [t, q] = [structuredClone(target), structuredClone(p)];
        applyMergePatch(target, p);
        expect(target).toEqual(t);
        expect(p).toEqual(q);
      }),
    );
  });

  it('an empty patch is the identity; a non-object patch replaces the target', () => {
    fc.assert(
      fc.property(object, noNull, (target, replacement) => {
        expect(applyMergePatch(target, {})).toEqual(target);
        if (!isObject(replacement)) expect(applyMergePatch(target, replacement)).toEqual(replacement);
      }),
    );
  });

  it('refuses prototype keys anywhere in a parsed patch with a 400, and pollutes nothing', () => {
    const evil = fc.constantFrom('__proto__', 'constructor', 'prototype');
    fc.assert(
      fc.property(object, fc.array(key, { maxLength: 3 }), evil, (target, path, bad) => {
        const text = `${path.map((k) => `{${JSON.stringify(k)}:`).join('')}{${JSON.stringify(bad)}:{"polluted":true}}${'}'.repeat(path.length)}`;
        let status: number | undefined;
        try {
          applyMergePatch(target, loadMergePatch(text));
        } catch (e) {
          status = isRestError(e) ? e.status : 500;
        }
        expect(status).toBe(400);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
    );
  });
});

describe('JSON Patch (RFC 6902)', () => {
  const record = fc
    .record({ title: fc.string({ minLength: 1, maxLength: 10 }) })
    .chain((base) => object.map((rest) => ({ ...rest, ...base }) as JsonObject));

  it('an empty patch is the identity', () => {
    fc.assert(
      fc.property(record, (doc) => {
        expect(applyJsonPatch(doc, loadJsonPatch('[]'))).toEqual(doc);
      }),
    );
  });

  it('test against the current value succeeds and changes nothing', () => {
    fc.assert(
      fc.property(record, (doc) => {
        for (const k of Object.keys(doc)) {
          const ops = loadJsonPatch(
            JSON.stringify([{ op: 'test', path: `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`, value: doc[k] }]),
          );
          expect(applyJsonPatch(doc, ops)).toEqual(doc);
        }
      }),
    );
  });

  it('add then remove of a new member gives the document back', () => {
    fc.assert(
      fc.property(record, key, noNull, (doc, k, v) => {
        fc.pre(!Object.hasOwn(doc, k));
        const path = `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        const ops = loadJsonPatch(
          JSON.stringify([
            { op: 'add', path, value: v },
            { op: 'remove', path },
          ]),
        );
        expect(applyJsonPatch(doc, ops)).toEqual(doc);
      }),
    );
  });

  it('is atomic: a patch whose last operation fails is a 400 and leaves the document as it was', () => {
    fc.assert(
      fc.property(record, noNull, (doc, v) => {
        const before = structuredClone(doc);
        const ops = loadJsonPatch(
          JSON.stringify([
            { op: 'replace', path: '/title', value: 'changed' },
            { op: 'add', path: '/added', value: v },
            { op: 'test', path: '/title', value: 'not changed' },
          ]),
        );
        let status: number | undefined;
        try {
          applyJsonPatch(doc, ops);
        } catch (e) {
          status = isRestError(e) ? e.status : 500;
        }
        expect(status).toBe(400);
        expect(doc).toEqual(before);
      }),
    );
  });

  it('refuses prototype segments in any pointer with a 400', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 3 }), fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.nat(3), (path, bad, at) => {
        const segments = [...path];
        segments.splice(Math.min(at, segments.length), 0, bad);
        const pointer = `/${segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
        let status: number | undefined;
        try {
          loadJsonPatch(JSON.stringify([{ op: 'add', path: pointer, value: true }]));
        } catch (e) {
          status = isRestError(e) ? e.status : 500;
        }
        expect(status).toBe(400);
      }),
    );
  });
});
