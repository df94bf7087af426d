// The bad-input corpus: several hundred malformed requests against every route of the real reference
// server (`recordkit serve` on a loopback port, embedded SQLite store in a temporary directory). Each is
// answered with a 4xx and a JSON error body that names the problem, never a 5xx, never a stack trace or
// an internal message, always with `X-Content-Type-Options: nosniff`; and afterwards every table of the
// store is byte-for-byte what it was before (digest of every row).
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, type ServedApp, serve, TOKENS } from '../support/serve.js';
import { type RawRequest, type RawResponse, send, storeDigest } from './support/raw.js';

/** Placeholders in paths: `{P}` a public record, `{R}` a restricted one (both owned by alice). */
interface Case extends RawRequest {
  name: string;
  /** Expected status; by default any 4xx. */
  status?: number | number[];
  /** A word the error body must contain (the field or thing at fault), case-insensitive. */
  names?: string;
}

const curator = { Authorization: `Bearer ${TOKENS.curator}` };
const reader = { Authorization: `Bearer ${TOKENS.reader}` };
const JSON_CT = { 'Content-Type': 'application/json' };
const PATCH_CT = { 'Content-Type': 'application/json-patch+json' };
const MERGE_CT = { 'Content-Type': 'application/merge-patch+json' };

const valid = {
  title: 'Sediment cores from the Baltic Sea',
  creators: [{ name: 'Eriksson, Ingrid' }],
  type: 'dataset',
  publication_date: '2025-01-15',
  access: 'public',
};
const withField = (field: string, value: unknown) => JSON.stringify({ ...valid, [field]: value });
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const nestedArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

// Malformed JSON texts, each sent to every body-taking route.
const BROKEN_JSON: [string, string | Buffer][] = [
  ['an empty body', ''],
  ['a lone brace', '{'],
  ['a truncated object', '{"title": "Sediment'],
  ['a truncated array', '[{"op":"add"'],
  ['a trailing comma', '{"title":"a",}'],
  ['single quotes', "{'title':'a'}"],
  ['unquoted keys', '{title:"a"}'],
  ['garbage after the value', '{"title":"a"} trailing'],
  ['two values', '{}{}'],
  ['NaN', '{"title":NaN}'],
  ['a bare word', 'undefined'],
  ['a comment', '{/* c */"title":"a"}'],
  ['a NUL byte', '{"title":"a\u0000"'],
  ['invalid UTF-8 bytes', Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d])],
  ['a truncated UTF-8 sequence', Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xc3])])],
  ['an overlong UTF-8 encoding', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
  ['a lone surrogate as UTF-8 bytes', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
  ['UTF-16 text', Buffer.from('{"title":"a"}', 'utf16le')],
];

// Valid JSON with the wrong shape for a record (POST and PUT).
const BAD_RECORDS: [string, string, string?][] = [
  ['an array instead of an object', '[]'],
  ['a string instead of an object', '"record"'],
  ['a number instead of an object', '42'],
  ['null instead of an object', 'null'],
  ['true instead of an object', 'true'],
  ['an empty object', '{}', 'title'],
  ['title as a number', withField('title', 123), 'title'],
  ['title as an object', withField('title', { $ne: null }), 'title'],
  ['an empty title', withField('title', ''), 'title'],
  ['a 501-character title', withField('title', 'x'.repeat(501)), 'title'],
  ['creators as a string', withField('creators', 'Eriksson'), 'creators'],
  ['creators empty', withField('creators', []), 'creators'],
  ['a creator without name', withField('creators', [{ affiliation: 'CERN' }]), 'name'],
  ['a creator with an unknown key', withField('creators', [{ name: 'a', role: 'x' }]), 'role'],
  ['a malformed ORCID', withField('creators', [{ name: 'a', orcid: '0000' }]), 'orcid'],
  ['an unknown type', withField('type', 'spaceship'), 'type'],
  ['type as an array', withField('type', ['dataset']), 'type'],
  ['a date that is not a date', withField('publication_date', 'yesterday'), 'publication_date'],
  ['an impossible date', withField('publication_date', '2025-13-45'), 'publication_date'],
  ['a date as a number', withField('publication_date', 20250115), 'publication_date'],
  ['access not in the enum', withField('access', 'secret'), 'access'],
  ['subjects with a number', withField('subjects', [1]), 'subjects'],
  ['duplicate subjects', withField('subjects', ['a', 'a']), 'subjects'],
  ['a language that is not ISO 639-3', withField('language', 'english'), 'language'],
  ['an unknown property', withField('is_admin', true), 'is_admin'],
  ['a client-supplied control_number', withField('control_number', '999'), 'control_number'],
  ['a __proto__ key (prototype pollution)', `{"__proto__":{"isAdmin":true},${JSON.stringify(valid).slice(1)}`, '__proto__'],
  ['a constructor.prototype key', withField('constructor', { prototype: { isAdmin: true } }), 'constructor'],
  ['a deeply nested value (5,000 levels)', `{"title":"a","deep":${nested(5000)}}`],
  ['a deeply nested array (100,000 levels)', nestedArray(100_000)],
  ['a deeply nested object (100,000 levels)', nested(100_000)],
  ['a 20,001-character description', withField('description', 'd'.repeat(20_001)), 'description'],
  [
    '101 creators',
    withField(
      'creators',
      Array.from({ length: 101 }, (_, i) => ({ name: `c${i}` })),
    ),
    'creators',
  ],
];

// JSON Patch documents (RFC 6902) that must be refused.
const BAD_PATCHES: [string, unknown, string?][] = [
  ['an object instead of an array', { op: 'replace', path: '/title', value: 'x' }],
  ['an unknown op', [{ op: 'merge', path: '/title', value: 'x' }], 'op'],
  ['an op without path', [{ op: 'replace', value: 'x' }], 'path'],
  ['a path without a leading slash', [{ op: 'replace', path: 'title', value: 'x' }], 'path'],
  ['add without value', [{ op: 'add', path: '/subjects' }], 'value'],
  ['remove of a missing member', [{ op: 'remove', path: '/nothing' }]],
  ['replace of a missing member', [{ op: 'replace', path: '/nothing/deeper', value: 1 }]],
  ['move from a missing member', [{ op: 'move', from: '/nothing', path: '/title' }]],
  ['copy from a missing member', [{ op: 'copy', from: '/nothing', path: '/title' }]],
  ['a failing test', [{ op: 'test', path: '/title', value: 'not the title' }]],
  ['an array index out of range', [{ op: 'add', path: '/creators/99', value: { name: 'x' } }]],
  ['a negative array index', [{ op: 'add', path: '/creators/-1', value: { name: 'x' } }]],
  ['an array index with a leading zero (RFC 6901 §4)', [{ op: 'replace', path: '/creators/00', value: { name: 'x' } }], '/creators/00'],
  ['an array index with an exponent', [{ op: 'remove', path: '/creators/0e0' }], '0e0'],
  ['an invalid escape in the path', [{ op: 'add', path: '/ti~2tle', value: 'x' }]],
  ['add /__proto__/polluted', [{ op: 'add', path: '/__proto__/polluted', value: true }]],
  ['replace /__proto__', [{ op: 'replace', path: '/__proto__', value: { polluted: true } }]],
  ['add /constructor/prototype/polluted', [{ op: 'add', path: '/constructor/prototype/polluted', value: true }]],
  ['add /creators/0/__proto__/polluted', [{ op: 'add', path: '/creators/0/__proto__/polluted', value: true }]],
  ['a result that breaks the schema', [{ op: 'replace', path: '/type', value: 'spaceship' }], 'type'],
  ['a change of control_number', [{ op: 'replace', path: '/control_number', value: '999' }], 'control_number'],
  ['removing a required field', [{ op: 'remove', path: '/title' }], 'title'],
  ['replacing the whole document with an array', [{ op: 'replace', path: '', value: [] }]],
  ['an op that is a string', ['replace /title x']],
  ['a path that is a number', [{ op: 'replace', path: 1, value: 'x' }], 'path'],
];

// JSON Merge Patch documents (RFC 7396) that must be refused.
const BAD_MERGES: [string, string, string?][] = [
  ['an array', '[]'],
  ['a string', '"x"'],
  ['null for a required field', '{"title":null}', 'title'],
  ['a __proto__ member', '{"__proto__":{"polluted":true}}', '__proto__'],
  ['a constructor.prototype member', '{"constructor":{"prototype":{"polluted":true}}}', 'constructor'],
  ['a nested __proto__ in creators', '{"creators":[{"name":"a","__proto__":{"polluted":true}}]}'],
  ['a wrong type', '{"type":7}', 'type'],
  ['a change of control_number', '{"control_number":"999"}', 'control_number'],
  ['an unknown property', '{"is_admin":true}', 'is_admin'],
];

const cases: Case[] = [];
const add = (c: Case) => cases.push(c);

// --- bodies: malformed JSON on every body-taking route
for (const [what, body] of BROKEN_JSON) {
  add({ name: `POST /records/ with ${what}`, method: 'POST', path: '/records/', headers: { ...curator, ...JSON_CT }, body, status: 400 });
  add({
    name: `PUT /records/{P} with ${what}`,
    method: 'PUT',
    path: '/records/{P}',
    headers: { ...curator, ...JSON_CT },
    body,
    status: 400,
  });
  add({
    name: `PATCH (JSON Patch) with ${what}`,
    method: 'PATCH',
    path: '/records/{P}',
    headers: { ...curator, ...PATCH_CT },
    body,
    status: 400,
  });
  add({
    name: `PATCH (merge patch) with ${what}`,
    method: 'PATCH',
    path: '/records/{P}',
    headers: { ...curator, ...MERGE_CT },
    body,
    status: 400,
  });
}
// --- bodies: wrong record shapes on create and replace
for (const [what, body, names] of BAD_RECORDS) {
  add({
    name: `POST /records/ with ${what}`,
    method: 'POST',
    path: '/records/',
    headers: { ...curator, ...JSON_CT },
    body,
    status: 400,
    names,
  });
  add({
    name: `PUT /records/{P} with ${what}`,
    method: 'PUT',
    path: '/records/{P}',
    headers: { ...curator, ...JSON_CT },
    body,
    status: 400,
    names,
  });
}
for (const [what, patch, names] of BAD_PATCHES) {
  const body = JSON.stringify(patch);
  add({
    name: `PATCH (JSON Patch) ${what}`,
    method: 'PATCH',
    path: '/records/{P}',
    headers: { ...curator, ...PATCH_CT },
    body,
    status: 400,
    names,
  });
}
for (const [what, body, names] of BAD_MERGES) {
  add({
    name: `PATCH (merge patch) ${what}`,
    method: 'PATCH',
    path: '/records/{P}',
    headers: { ...curator, ...MERGE_CT },
    body,
    status: 400,
    names,
  });
}
// --- a body over the limit (1 MiB in this server's configuration)
const huge = JSON.stringify({ ...valid, description: 'h'.repeat(2 * 1024 * 1024) });
add({
  name: 'POST /records/ with a 2 MiB body',
  method: 'POST',
  path: '/records/',
  headers: { ...curator, ...JSON_CT },
  body: huge,
  declareOnly: true,
  status: 413,
});
add({
  name: 'PUT /records/{P} with a 2 MiB body',
  method: 'PUT',
  path: '/records/{P}',
  headers: { ...curator, ...JSON_CT },
  body: huge,
  declareOnly: true,
  status: 413,
});
add({
  name: 'PATCH /records/{P} with a 2 MiB body',
  method: 'PATCH',
  path: '/records/{P}',
  headers: { ...curator, ...MERGE_CT },
  body: huge,
  declareOnly: true,
  status: 413,
});

// --- Content-Type
const BAD_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  ';;;',
  'json',
  'application/',
  '*/*',
];
for (const ct of BAD_CONTENT_TYPES) {
  const body = JSON.stringify(valid);
  add({
    name: `POST /records/ with Content-Type ${ct}`,
    method: 'POST',
    path: '/records/',
    headers: { ...curator, 'Content-Type': ct },
    body,
    status: 415,
  });
  add({
    name: `PUT /records/{P} with Content-Type ${ct}`,
    method: 'PUT',
    path: '/records/{P}',
    headers: { ...curator, 'Content-Type': ct },
    body,
    status: 415,
  });
  add({
    name: `PATCH /records/{P} with Content-Type ${ct}`,
    method: 'PATCH',
    path: '/records/{P}',
    headers: { ...curator, 'Content-Type': ct },
    body: '{}',
    status: 415,
  });
}
add({
  name: 'POST /records/ without Content-Type',
  method: 'POST',
  path: '/records/',
  headers: curator,
  body: JSON.stringify(valid),
  status: 415,
});
add({
  name: 'PATCH with plain application/json',
  method: 'PATCH',
  path: '/records/{P}',
  headers: { ...curator, ...JSON_CT },
  body: '{}',
  status: 415,
});
add({ name: 'PATCH without Content-Type', method: 'PATCH', path: '/records/{P}', headers: curator, body: '[]', status: 415 });

// --- Accept: unacceptable or malformed, on every negotiated route (406 before any side effect)
const BAD_ACCEPTS = ['application/xml', 'text/html', 'image/png', 'application/json;q=0', 'application/vnd.unknown+json'];
const NEGOTIATED: [string, RawRequest][] = [
  ['GET /records/{P}', { method: 'GET', path: '/records/{P}' }],
  ['GET /records/', { method: 'GET', path: '/records/' }],
  ['GET /records/_export', { method: 'GET', path: '/records/_export' }],
  ['POST /records/', { method: 'POST', path: '/records/', headers: { ...curator, ...JSON_CT }, body: JSON.stringify(valid) }],
  ['PUT /records/{P}', { method: 'PUT', path: '/records/{P}', headers: { ...curator, ...JSON_CT }, body: JSON.stringify(valid) }],
  ['PATCH /records/{P}', { method: 'PATCH', path: '/records/{P}', headers: { ...curator, ...MERGE_CT }, body: '{"title":"Negotiated"}' }],
];
for (const accept of BAD_ACCEPTS) {
  for (const [route, req] of NEGOTIATED) {
    add({ name: `${route} with Accept: ${accept}`, ...req, headers: { ...req.headers, Accept: accept }, status: 406 });
  }
}
// 1,000 entries fit Node's 16 KiB header limit; the 10,000-entry header is below (refused by Node itself).
const manyTypes = Array.from({ length: 1000 }, (_, i) => `a/${i}`).join(',');
add({
  name: 'GET /records/{P} with a 1,000-entry Accept header',
  method: 'GET',
  path: '/records/{P}',
  headers: { Accept: manyTypes },
  status: 406,
});
add({
  name: 'GET /records/ with a 1,000-entry Accept header',
  method: 'GET',
  path: '/records/',
  headers: { Accept: manyTypes },
  status: 406,
});
add({
  name: 'GET /records/_export with a 1,000-entry Accept header',
  method: 'GET',
  path: '/records/_export',
  headers: { Accept: manyTypes },
  status: 406,
});
add({ name: 'GET /records/{P}?format=xml (unknown alias)', method: 'GET', path: '/records/{P}?format=xml', names: 'format' });
add({ name: 'GET /records/?format=csv (alias of another route)', method: 'GET', path: '/records/?format=csv', names: 'format' });
add({ name: 'GET /records/_export?format=xml', method: 'GET', path: '/records/_export?format=xml', names: 'format' });

// --- preconditions
const BAD_IF_MATCH: [string, string][] = [
  ['a stale ETag', '"99"'],
  ['a weak ETag (strong comparison)', 'W/"0"'],
  ['an unquoted value', '0'],
  ['an unterminated quote', '"0'],
  ['garbage', 'not-an-etag'],
  ['an empty list', ','],
  ['a list of stale ETags', '"5", "6"'],
];
const WRITES: [string, RawRequest][] = [
  ['PUT', { method: 'PUT', path: '/records/{P}', headers: { ...curator, ...JSON_CT }, body: JSON.stringify(valid) }],
  ['PATCH', { method: 'PATCH', path: '/records/{P}', headers: { ...curator, ...MERGE_CT }, body: '{"title":"Conditional"}' }],
  ['DELETE', { method: 'DELETE', path: '/records/{P}', headers: curator }],
];
for (const [what, value] of BAD_IF_MATCH) {
  for (const [method, req] of WRITES) {
    add({ name: `${method} with If-Match ${what}`, ...req, headers: { ...req.headers, 'If-Match': value }, status: [400, 412] });
  }
}
const BAD_DATES = ['yesterday', '2026-11-22', 'Sun, 99 Nov 2026 99:00:00 GMT', '0'];
for (const value of BAD_DATES) {
  for (const [method, req] of WRITES) {
    add({
      name: `${method} with If-Unmodified-Since ${value} and a stale If-Match`,
      ...req,
      headers: { ...req.headers, 'If-Match': '"42"', 'If-Unmodified-Since': value },
      status: [400, 412],
    });
  }
}
add({
  name: 'PUT with If-Unmodified-Since in the past',
  ...WRITES[0]![1],
  headers: { ...WRITES[0]![1].headers, 'If-Unmodified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
  status: 412,
});
add({
  name: 'DELETE with If-Unmodified-Since in the past',
  ...WRITES[2]![1],
  headers: { ...WRITES[2]![1].headers, 'If-Unmodified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
  status: 412,
});
add({ name: 'PUT with If-None-Match: *', ...WRITES[0]![1], headers: { ...WRITES[0]![1].headers, 'If-None-Match': '*' }, status: 412 });
add({
  name: 'PATCH with If-None-Match of the current ETag',
  ...WRITES[1]![1],
  headers: { ...WRITES[1]![1].headers, 'If-None-Match': '"0"' },
  status: 412,
});

// --- permissions and identity (the write routes refuse before touching anything)
const BAD_AUTH: [string, Record<string, string>, number][] = [
  ['anonymous', {}, 401],
  ['a reader without role', reader, 403],
  ['an unknown token', { Authorization: 'Bearer not-a-token' }, 401],
  ['a Basic credential', { Authorization: 'Basic Y3VyYXRvcjpwYXNz' }, 401],
  ['an empty Bearer', { Authorization: 'Bearer ' }, 401],
  ['a token with SQL', { Authorization: "Bearer ' OR 1=1 --" }, 401],
];
for (const [who, headers, status] of BAD_AUTH) {
  add({
    name: `POST /records/ by ${who}`,
    method: 'POST',
    path: '/records/',
    headers: { ...headers, ...JSON_CT },
    body: JSON.stringify(valid),
    status,
  });
  add({
    name: `PUT /records/{P} by ${who}`,
    method: 'PUT',
    path: '/records/{P}',
    headers: { ...headers, ...JSON_CT },
    body: JSON.stringify(valid),
    status,
  });
  add({
    name: `PATCH /records/{P} by ${who}`,
    method: 'PATCH',
    path: '/records/{P}',
    headers: { ...headers, ...MERGE_CT },
    body: '{"title":"x"}',
    status,
  });
  add({ name: `DELETE /records/{P} by ${who}`, method: 'DELETE', path: '/records/{P}', headers, status });
}
add({ name: 'GET /records/{R} (restricted) anonymous', method: 'GET', path: '/records/{R}', status: 401 });
add({
  name: 'GET /records/{R} (restricted) by another user',
  method: 'GET',
  path: '/records/{R}',
  headers: { Authorization: `Bearer ${TOKENS.bob}` },
  status: 403,
});

// --- PIDs: path tricks on every item method
const BAD_PIDS: [string, string][] = [
  ['a missing recid', '999999'],
  ['a huge number', '99999999999999999999999999'],
  ['a negative number', '-1'],
  ['a decimal', '1.0'],
  ['a leading zero', '01'],
  ['dot-dot segments', '..%2F..%2Fetc%2Fpasswd'],
  ['an encoded slash', '1%2F2'],
  ['an encoded NUL', '1%00'],
  ['SQL', "1'%20OR%20'1'='1"],
  ['a DSL query', '%7B%22match_all%22%3A%7B%7D%7D'],
  ['a wildcard', '*'],
  ['an encoded space', '%20'],
  ['invalid percent-encoding', '%ZZ'],
  ['percent-encoded invalid UTF-8', '%FF%FE'],
  ['a very long PID', '9'.repeat(5000)],
  ['__proto__', '__proto__'],
];
for (const [what, pid] of BAD_PIDS) {
  add({ name: `GET /records/<${what}>`, method: 'GET', path: `/records/${pid}`, status: [400, 404] });
  add({
    name: `PUT /records/<${what}>`,
    method: 'PUT',
    path: `/records/${pid}`,
    headers: { ...curator, ...JSON_CT },
    body: JSON.stringify(valid),
    status: [400, 404],
  });
  add({
    name: `PATCH /records/<${what}>`,
    method: 'PATCH',
    path: `/records/${pid}`,
    headers: { ...curator, ...MERGE_CT },
    body: '{"title":"x"}',
    status: [400, 404],
  });
  add({ name: `DELETE /records/<${what}>`, method: 'DELETE', path: `/records/${pid}`, headers: curator, status: [400, 404] });
}
add({ name: 'GET /records/{P}/extra', method: 'GET', path: '/records/{P}/extra', status: 404 });
add({ name: 'GET /records/../openapi.json.bak', method: 'GET', path: '/records/../../etc/passwd', status: [400, 404] });
add({ name: 'GET an unknown route', method: 'GET', path: '/admin', status: 404 });

// --- methods
const BAD_METHODS: [string, string][] = [
  ['DELETE', '/records/'],
  ['PUT', '/records/'],
  ['PATCH', '/records/'],
  ['POST', '/records/{P}'],
  ['POST', '/records/_options'],
  ['DELETE', '/records/_options'],
  ['POST', '/records/_suggest'],
  ['POST', '/records/_export'],
  ['DELETE', '/records/_export'],
  ['POST', '/openapi.json'],
  ['PUT', '/openapi.json'],
];
for (const [method, path] of BAD_METHODS) {
  add({ name: `${method} ${path}`, method, path, headers: { ...curator, ...JSON_CT }, body: '{}', status: 405 });
}

// --- search parameters
const BAD_SEARCH: [string, string, string][] = [
  ['page=-1', 'page=-1', 'page'],
  ['page=0', 'page=0', 'page'],
  ['page=1.5', 'page=1.5', 'page'],
  ['page=abc', 'page=abc', 'page'],
  ['page=1e309', 'page=1e309', 'page'],
  ['page=huge', 'page=99999999999999999999999', 'page'],
  ['page empty', 'page=', 'page'],
  ['size=-1', 'size=-1', 'size'],
  ['size=0', 'size=0', 'size'],
  ['size=1001', 'size=1001', 'size'],
  ['size=abc', 'size=abc', 'size'],
  ['size=huge', 'size=99999999999999999999', 'size'],
  ['size=0x10', 'size=0x10', 'size'],
  ['page*size past the window', 'page=101&size=100', 'page'],
  ['page with from', 'page=2&from=11', 'from'],
  ['from=-1', 'from=-1', 'from'],
  ['from=abc', 'from=abc', 'from'],
  ['from past the window', 'from=10001', 'from'],
  ['an unknown sort', 'sort=nope', 'sort'],
  ['sort of a lone minus', 'sort=-', 'sort'],
  ['sort with two minuses', 'sort=--title', 'sort'],
  ['sort with SQL', 'sort=title%3B%20DROP%20TABLE%20records', 'sort'],
  ['sort with a DSL object', 'sort=%7B%22_script%22%3A1%7D', 'sort'],
  ['sort on an internal column', 'sort=rowid', 'sort'],
  ['sort of __proto__', 'sort=__proto__', 'sort'],
  ['a malformed cursor', 'cursor=garbage', 'cursor'],
  ['a tampered cursor', 'cursor=eyJ2IjoxfQ.AAAA', 'cursor'],
  ['a cursor with page', 'cursor=eyJ2IjoxfQ&page=2', 'cursor'],
  ['an unbalanced parenthesis in q', 'q=title%3A(coral', 'q'],
  ['an unterminated phrase in q', 'q=%22coral', 'q'],
  ['a dangling AND in q', 'q=coral%20AND', 'q'],
  ['an open range in q', 'q=publication_date%3A%5B2020%20TO', 'q'],
  ['a range on a bad date in q', 'q=publication_date%3A%5Bnever%20TO%202021%5D', 'q'],
  ['SQL closing a parenthesis in q', 'q=title%3A(a%20OR%20b))%20UNION%20SELECT%20*%20FROM%20sqlite_master', 'q'],
  ['a lone colon in q', 'q=%3A', 'q'],
  ['a field with no value in q', 'q=title%3A', 'q'],
  ['a caret without boost in q', 'q=coral%5E', 'q'],
  ['an unclosed regex in q', 'q=%2Fcor', 'q'],
];
for (const [what, query, names] of BAD_SEARCH) {
  add({ name: `GET /records/ with ${what}`, method: 'GET', path: `/records/?${query}`, status: 400, names });
}
for (const [what, query, names] of BAD_SEARCH.filter(([, q]) => /^(q=|sort=)/.test(q))) {
  add({ name: `GET /records/_export with ${what}`, method: 'GET', path: `/records/_export?${query}`, status: 400, names });
}

// --- suggest
const BAD_SUGGEST: [string, string, string?][] = [
  ['no completion requested', '', 'title'],
  ['an unknown suggester only', 'nope=cora'],
  ['size=-1', 'title=cora&size=-1', 'size'],
  ['size=abc', 'title=cora&size=abc', 'size'],
  ['size=huge', 'title=cora&size=99999999999', 'size'],
];
for (const [what, query, names] of BAD_SUGGEST) {
  add({ name: `GET /records/_suggest with ${what}`, method: 'GET', path: `/records/_suggest?${query}`, status: 400, names });
}

// Hostile input that is not an error: injection attempts in facet values and free text are answered as
// ordinary searches (no match), and malformed conditional headers that RFC 9110 says to ignore are
// ignored. Each answer is a 2xx, and the store is unchanged like for the corpus above.
const HARMLESS: Case[] = [
  ...["' OR 1=1 --", '"; DROP TABLE records; --', '*', '%', '_', '\\', '{"match_all":{}}', 'dataset\u0000', 'x'.repeat(2000)].flatMap(
    (v, i) => [
      {
        name: `facet value #${i} ${JSON.stringify(v.slice(0, 30))}`,
        method: 'GET',
        path: `/records/?type=${encodeURIComponent(v)}`,
        status: 200,
      },
      {
        name: `export facet value #${i} ${JSON.stringify(v.slice(0, 30))}`,
        method: 'GET',
        path: `/records/_export?language=${encodeURIComponent(v)}`,
        status: 200,
      },
      {
        name: `suggest text #${i} ${JSON.stringify(v.slice(0, 30))}`,
        method: 'GET',
        path: `/records/_suggest?title=${encodeURIComponent(v)}`,
        status: 200,
      },
    ],
  ),
  ...['"\'; DROP TABLE records; --"', '"1=1"', 'sqlite_master', 'title:"a\\" OR 1=1"', '"__proto__"'].map((q, i) => ({
    name: `q injection #${i} ${JSON.stringify(q)}`,
    method: 'GET',
    path: `/records/?q=${encodeURIComponent(q)}`,
    status: 200,
  })),
  ...['yesterday', '2026-11-22', 'Sun, 99 Nov 2026 99:00:00 GMT', '', 'x'.repeat(1000)].map((value, i) => ({
    name: `GET with an invalid If-Modified-Since #${i} (ignored, RFC 9110 §13.1.3)`,
    method: 'GET',
    path: '/records/{P}',
    headers: { 'If-Modified-Since': value },
    status: 200,
  })),
  ...['garbage', '"unterminated', 'W/', ','].map((value, i) => ({
    name: `GET with a malformed If-None-Match #${i} (no match)`,
    method: 'GET',
    path: '/records/{P}',
    headers: { 'If-None-Match': value },
    status: 200,
  })),
];

// Requests Node's HTTP parser refuses before the application sees them, sent as raw bytes (node:http
// would not send them): the server's clientError handler answers them with the usual JSON error. The
// missing Host is the server's own check, before the pipeline, with the same answer.
const hugeAccept = Array.from({ length: 10_000 }, (_, i) => `a/x${i}`).join(',');
const PARSER_CASES: { name: string; status: number; names: string; request: (path: string) => string }[] = [
  {
    name: 'a 10,000-entry Accept header (over the 16 KiB header limit)',
    status: 431,
    names: 'headers',
    request: (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\nAccept: ${hugeAccept}\r\nConnection: close\r\n\r\n`,
  },
  {
    name: 'a 40 KiB Cookie header',
    status: 431,
    names: 'headers',
    request: (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\nCookie: s=${'c'.repeat(40_000)}\r\nConnection: close\r\n\r\n`,
  },
  { name: 'a request line that is not HTTP', status: 400, names: 'malformed', request: () => 'HELLO THERE\r\n\r\n' },
  {
    name: 'an HTTP/1.1 request without Host (RFC 9112 §3.2)',
    status: 400,
    names: 'host',
    request: (path) => `GET ${path} HTTP/1.1\r\nConnection: close\r\n\r\n`,
  },
  {
    name: 'an unknown HTTP version',
    status: 400,
    names: 'malformed',
    request: (path) => `GET ${path} HTTP/7.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  },
  {
    name: 'a space in the request target',
    status: 400,
    names: 'malformed',
    request: (path) => `GET ${path} x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  },
  {
    name: 'a header name with a space before the colon',
    status: 400,
    names: 'malformed',
    request: (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\nAccept : application/json\r\nConnection: close\r\n\r\n`,
  },
  {
    name: 'a control character in a header value',
    status: 400,
    names: 'malformed',
    request: (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\nAccept: application/json\u0001\r\nConnection: close\r\n\r\n`,
  },
  {
    name: 'a header line without a colon',
    status: 400,
    names: 'malformed',
    request: (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\nAccept application/json\r\nConnection: close\r\n\r\n`,
  },
  {
    name: 'Content-Length and Transfer-Encoding together (request smuggling)',
    status: 400,
    names: 'malformed',
    request: () =>
      `POST /records/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKENS.curator}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
  },
  {
    name: 'a non-numeric Content-Length',
    status: 400,
    names: 'malformed',
    request: () =>
      `POST /records/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKENS.curator}\r\nContent-Type: application/json\r\nContent-Length: ten\r\nConnection: close\r\n\r\n{}`,
  },
];

/** Write raw bytes on a fresh connection and parse the one answer (status line, headers, body). */
function sendBytes(base: string, bytes: string): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(url.port), url.hostname, () => socket.end(bytes, 'latin1'));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset after the answer arrived is fine; before it, it is the failure this suite looks for.
    socket.on('error', (e) => (chunks.length ? undefined : reject(e)));
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`));
      const [statusLine = '', ...lines] = raw.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const text = Buffer.from(raw.slice(split + 4), 'latin1').toString('utf8');
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text });
    });
  });
}

describe('the bad-input corpus', () => {
  let app: ServedApp;
  let ids: { P: string; R: string };
  let before: ReturnType<typeof storeDigest>;
  const answers = new Map<string, RawResponse>();
  const dbFile = () => join(app.dataDir, 'recordkit.sqlite');

  beforeAll(async () => {
    app = await serve({ args: ['--no-demo'] });
    // Restart with a configuration file: no rate limit (hundreds of requests from one address) and a
    // 1 MiB body limit so the oversized bodies stay small.
    await app.stop();
    writeFileSync(join(app.dataDir, 'recordkit.config.mjs'), 'export default { rateLimit: false, server: { bodyLimit: 1048576 } };\n');
    app = await serve({ args: ['--no-demo'], dataDir: app.dataDir, cwd: app.dataDir });
    const create = async (metadata: object) => {
      const res = await send(app.url, {
        method: 'POST',
        path: '/records/',
        headers: { ...curator, ...JSON_CT },
        body: JSON.stringify(metadata),
      });
      expect(res.status).toBe(201);
      return (JSON.parse(res.text) as { id: string }).id;
    };
    ids = {
      P: await create({ ...valid, owner: 'alice', subjects: ['Oceanography'] }),
      R: await create({ ...valid, owner: 'alice', access: 'restricted', title: 'Restricted cores' }),
    };
    before = storeDigest(dbFile());
  });

  afterAll(async () => {
    if (app) {
      await app.stop();
      removeDir(app.dataDir);
    }
  });

  it('has at least 300 named cases, each name unique', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const path = c.path.replaceAll('{P}', ids.P).replaceAll('{R}', ids.R);
    const res = await send(app.url, { ...c, path });
    answers.set(c.name, res);
    const expected = c.status === undefined ? undefined : Array.isArray(c.status) ? c.status : [c.status];
    if (expected) expect(expected, res.text).toContain(res.status);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    // Response hygiene: nosniff, a JSON error body, no stack trace or internals.
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-type'])).toMatch(/^application\/(problem\+)?json/);
    const body = JSON.parse(res.text) as { status?: number; message?: string; detail?: string; title?: string };
    expect(body.status).toBe(res.status);
    const message = body.message ?? body.detail ?? body.title;
    expect(typeof message === 'string' && message.length > 0).toBe(true);
    expect(res.text).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(|node_modules|\/work\/|\/tmp\/|\.ts:\d|\.js:\d/);
    expect(res.text).not.toMatch(/SQLITE_|sqlite_master|no such (table|column)|TypeError|ReferenceError|RangeError|Cannot read prop/);
    if (c.names) expect(res.text.toLowerCase()).toContain(c.names.toLowerCase());
  });

  it.each(HARMLESS.map((c) => [c.name, c] as const))('harmless: %s', async (_name, c) => {
    const res = await send(app.url, { ...c, path: c.path.replaceAll('{P}', ids.P) });
    answers.set(c.name, res);
    expect(res.status, res.text.slice(0, 500)).toBe(c.status);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).not.toMatch(/\n\s+at |node_modules|SQLITE_|sqlite_master"|TypeError|RangeError/);
  });

  it.each(PARSER_CASES.map((c) => [c.name, c] as const))('refused by the HTTP parser: %s', async (_name, c) => {
    const path = `/records/${ids.P}`;
    const res = await sendBytes(app.url, c.request(path));
    answers.set(c.name, res);
    // The same answer as every other refusal, though Node refused the request before the application saw it.
    expect(res.status, res.text).toBe(c.status);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers.connection).toBe('close');
    expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
    const body = JSON.parse(res.text) as { status?: number; message?: string };
    expect(body.status).toBe(c.status);
    expect(body.message?.toLowerCase()).toContain(c.names);
    expect(res.text).not.toMatch(/HPE_|llhttp|Parse Error|\n\s+at |node:internal/);
    // The server is unaffected.
    expect((await send(app.url, { method: 'GET', path })).status).toBe(200);
  });

  it('leaves every table of the store byte-for-byte unchanged', () => {
    expect(answers.size).toBe(cases.length + HARMLESS.length + PARSER_CASES.length);
    const after = storeDigest(dbFile());
    expect(after.rows).toEqual(before.rows);
    expect(after.tables).toEqual(before.tables);
    expect(after.digest).toBe(before.digest);
    expect(before.rows.records).toBe(2);
    // The recid sequence too: a refused create consumes no number (finding 1 of docs/security.md).
    expect(before.rows.sequences).toBeGreaterThan(0);
  });

  it('still serves the records afterwards, unchanged', async () => {
    const res = await send(app.url, { method: 'GET', path: `/records/${ids.P}` });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"0"');
    expect(JSON.parse(res.text)).toMatchObject({ metadata: { title: valid.title }, revision: 0 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
