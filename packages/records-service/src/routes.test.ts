import { describe, expect, it } from 'vitest';
import { checkListRoute, compileItemRoute } from './routes.js';

describe('compileItemRoute', () => {
  it('matches one segment with :pid and decodes it', () => {
    const route = compileItemRoute('/records/:pid');
    expect(route.match('/records/42')).toBe('42');
    expect(route.match('/records/a%20b')).toBe('a b');
    expect(route.match('/records/10.1234/abc')).toBeUndefined();
    expect(route.match('/records/')).toBeUndefined();
    expect(route.match('/other/42')).toBeUndefined();
    expect(route.match('/records/%E0%A4%A')).toBeUndefined();
    expect(route.build('a b/c')).toBe('/records/a%20b%2Fc');
  });

  it('matches the rest of the path with *pid, so DOIs keep their slashes', () => {
    const route = compileItemRoute('/dois/*pid');
    expect(route.match('/dois/10.1234/abc')).toBe('10.1234/abc');
    expect(route.match('/dois/10.1234//abc')).toBeUndefined();
    expect(route.build('10.1234/a b')).toBe('/dois/10.1234/a%20b');
  });

  it('supports a suffix after :pid', () => {
    const route = compileItemRoute('/records/:pid/metadata');
    expect(route.match('/records/7/metadata')).toBe('7');
    expect(route.build('7')).toBe('/records/7/metadata');
  });

  it.each([
    ['no placeholder', '/records/'],
    ['two placeholders', '/records/:pid/:pid'],
    ['a relative path', 'records/:pid'],
    ['a placeholder inside a segment', '/records/x:pid'],
    ['*pid not at the end', '/records/*pid/x'],
  ])('refuses %s', (_name, template) => {
    expect(() => compileItemRoute(template, 'endpoints.x.itemRoute')).toThrow(/endpoints\.x\.itemRoute/);
  });
});

describe('checkListRoute', () => {
  it('accepts an absolute path and refuses placeholders', () => {
    expect(checkListRoute('/records/', 'l')).toBe('/records/');
    expect(() => checkListRoute('/records/:pid', 'l')).toThrow(/placeholders/);
    expect(() => checkListRoute('records', 'l')).toThrow(/starting with/);
  });
});
