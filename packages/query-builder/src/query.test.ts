import { InvalidQuerySyntaxError, RestError, ValidationError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { buildQuery, hasQueryText } from './query.js';

function thrown(fn: () => unknown): RestError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RestError) return error;
    throw error;
  }
  throw new Error('expected a RestError');
}

describe('buildQuery', () => {
  it('matches everything without a query, as Invenio does (missing or empty q)', () => {
    expect(buildQuery(undefined)).toEqual({ match_all: {} });
    expect(buildQuery(null)).toEqual({ match_all: {} });
    expect(buildQuery('')).toEqual({ match_all: {} });
  });

  it('matches everything for a blank q (the engine would match nothing)', () => {
    expect(buildQuery('   ')).toEqual({ match_all: {} });
  });

  it("sends the text as a query_string, as Invenio's default parser does", () => {
    expect(buildQuery('title:back')).toEqual({ query_string: { query: 'title:back' } });
    expect(buildQuery('test;')).toEqual({ query_string: { query: 'test;' } });
  });

  it('adds the configured default operator and fields', () => {
    expect(buildQuery('open science', { defaultOperator: 'AND', defaultFields: ['title^2', 'description'] })).toEqual({
      query_string: { query: 'open science', default_operator: 'AND', fields: ['title^2', 'description'] },
    });
  });

  it('answers a syntax error with a 400 "Invalid query syntax." giving the position', () => {
    const error = thrown(() => buildQuery('test:'));
    expect(error).toBeInstanceOf(InvalidQuerySyntaxError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid query syntax.');
    expect((error as InvalidQuerySyntaxError).position).toBe(5);
    expect(error.errors[0]?.field).toBe('q');
    expect(error.errors[0]?.message).toContain('position 5');
  });

  it('falls back to simple_query_string on a syntax error when configured', () => {
    expect(buildQuery('i/o', { onSyntaxError: 'simple_query_string', defaultOperator: 'AND' })).toEqual({
      simple_query_string: { query: 'i/o', default_operator: 'AND' },
    });
  });

  it('always uses simple_query_string when that is the configured syntax', () => {
    expect(buildQuery('title:"open', { syntax: 'simple_query_string', defaultFields: ['title'] })).toEqual({
      simple_query_string: { query: 'title:"open', fields: ['title'] },
    });
  });

  it('rewrites public field names to index fields', () => {
    const options = { fields: { map: { title: 'metadata.title', year: 'metadata.publication_date' } } };
    expect(buildQuery('title:open AND year:>2000 AND type:book', options)).toEqual({
      query_string: { query: 'metadata.title:open AND metadata.publication_date:>2000 AND type:book' },
    });
  });

  it('rewrites the field of a group once, and the field inside _exists_', () => {
    const options = { fields: { map: { title: 'metadata.title' } } };
    expect(buildQuery('title:(a OR b) OR _exists_:title', options)).toEqual({
      query_string: { query: 'metadata.title:(a OR b) OR _exists_:metadata.title' },
    });
  });

  it('escapes a mapped name that holds query syntax', () => {
    expect(buildQuery('title:x', { fields: { map: { title: 'title.*' } } })).toEqual({ query_string: { query: 'title.\\*:x' } });
  });

  it('rejects fields outside the allow-list with one field error per name, checked after mapping', () => {
    const options = { fields: { map: { title: 'metadata.title' }, allow: ['metadata.title', 'type'] } };
    expect(buildQuery('title:a type:b metadata.title:c', options)).toEqual({
      query_string: { query: 'metadata.title:a type:b metadata.title:c', fields: ['metadata.title', 'type'], lenient: true },
    });
    const error = thrown(() => buildQuery('owner:1 OR _exists_:secret OR owner:2 OR *:x', options));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors.map((e) => e.toJSON())).toEqual([
      { field: 'q', message: 'Invalid search field: owner.', code: 'invalid_search_field' },
      { field: 'q', message: 'Invalid search field: secret.', code: 'invalid_search_field' },
      { field: 'q', message: 'Invalid search field: *.', code: 'invalid_search_field' },
    ]);
  });

  it('keeps terms without a field inside the allow-list, or inside the configured default fields', () => {
    expect(buildQuery('open', { fields: { allow: ['title'] } })).toEqual({
      query_string: { query: 'open', fields: ['title'], lenient: true },
    });
    expect(buildQuery('open', { fields: { allow: ['title', 'year'] }, defaultFields: ['title'] })).toEqual({
      query_string: { query: 'open', fields: ['title'] },
    });
  });

  it('accepts *:* under an allow-list', () => {
    expect(buildQuery('*:*', { fields: { allow: ['title'] } })).toEqual({
      query_string: { query: '*:*', fields: ['title'], lenient: true },
    });
  });

  it('uses a custom parser instead, letting its RestError through', () => {
    expect(buildQuery('x', { parser: (q) => ({ match: { title: q } }) })).toEqual({ match: { title: 'x' } });
    const error = new ValidationError([]);
    expect(() =>
      buildQuery('x', {
        parser: () => {
          throw error;
        },
      }),
    ).toThrow(error);
  });
});

describe('hasQueryText', () => {
  it('is true only for text with something besides spaces', () => {
    expect([undefined, null, '', ' \t', 'a'].map(hasQueryText)).toEqual([false, false, false, false, true]);
  });
});
