import { InvalidContentTypeError, isRestError, toResponse } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { requireContentType } from './index.js';

const JSON_ONLY = ['application/json'];

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected a RestError to be thrown');
}

describe('requireContentType', () => {
  it('returns the allowed entry that matches, ignoring parameters and letter case', () => {
    expect(requireContentType({ 'content-type': 'application/json' }, JSON_ONLY)).toBe('application/json');
    expect(requireContentType({ 'content-type': 'Application/JSON; charset=utf-8' }, JSON_ONLY)).toBe('application/json');
    expect(
      requireContentType(new Headers({ 'Content-Type': 'application/merge-patch+json' }), [
        'application/json-patch+json',
        'application/merge-patch+json',
      ]),
    ).toBe('application/merge-patch+json');
  });

  it('refuses another type with a 415 whose message lists the accepted types', () => {
    const error = refusal(() =>
      requireContentType({ 'content-type': 'text/plain', 'content-length': '3' }, ['application/json', 'application/ld+json']),
    );
    expect(error).toBeInstanceOf(InvalidContentTypeError);
    expect(error.status).toBe(415);
    expect(error.message).toBe("Invalid 'Content-Type' header. Expected one of: application/json, application/ld+json");
    expect(error.headers.Accept).toBe('application/json, application/ld+json');
    expect(error.errors[0]).toMatchObject({
      field: 'Content-Type',
      message: 'text/plain is not accepted here; send one of: application/json, application/ld+json.',
    });
    expect(JSON.parse(toResponse(error).body ?? '')).toMatchObject({ status: 415, received: 'text/plain' });
  });

  it('refuses a body without Content-Type with a 415', () => {
    for (const headers of [{ 'content-length': '12' }, { 'transfer-encoding': 'chunked' }]) {
      const error = refusal(() => requireContentType(headers, JSON_ONLY));
      expect(error.status).toBe(415);
      expect(error.errors[0]).toMatchObject({ field: 'Content-Type', code: 'missing' });
    }
  });

  it('lets a request without body and without Content-Type through', () => {
    expect(requireContentType({}, JSON_ONLY)).toBeUndefined();
    expect(requireContentType({ 'content-length': '0' }, JSON_ONLY)).toBeUndefined();
    expect(requireContentType(null, JSON_ONLY)).toBeUndefined();
  });

  it('takes hasBody from the caller where headers do not tell', () => {
    expect(refusal(() => requireContentType({}, JSON_ONLY, { hasBody: true })).status).toBe(415);
    expect(requireContentType({ 'transfer-encoding': 'chunked' }, JSON_ONLY, { hasBody: false })).toBeUndefined();
  });

  it('checks a Content-Type even on an empty body', () => {
    expect(refusal(() => requireContentType({ 'content-type': 'text/plain', 'content-length': '0' }, JSON_ONLY)).status).toBe(415);
  });

  it('refuses a Content-Type that is not a media type, saying so', () => {
    const error = refusal(() => requireContentType({ 'content-type': 'json' }, JSON_ONLY));
    expect(error.status).toBe(415);
    expect(error.errors[0]?.message).toBe('"json" is not a media type; send one of: application/json.');
  });

  it('refuses two Content-Type values joined into one', () => {
    expect(
      refusal(() =>
        requireContentType(
          new Headers([
            ['content-type', 'application/json'],
            ['content-type', 'text/plain'],
          ]),
          JSON_ONLY,
        ),
      ).status,
    ).toBe(415);
  });

  it('lists the types in Accept-Patch instead of Accept when asked (RFC 5789)', () => {
    const error = refusal(() =>
      requireContentType({ 'content-type': 'text/plain' }, ['application/json-patch+json'], { header: 'Accept-Patch' }),
    );
    expect(error.headers).toMatchObject({ 'Accept-Patch': 'application/json-patch+json' });
    expect(error.headers.Accept).toBeUndefined();
  });

  it('throws a TypeError for an allowed list that is empty or holds a non-media-type', () => {
    expect(() => requireContentType({ 'content-type': 'application/json' }, [])).toThrow(TypeError);
    expect(() => requireContentType({ 'content-type': 'application/json' }, ['json'])).toThrow(/not a media type/);
    expect(() => requireContentType({ 'content-type': 'application/json' }, ['application/*'])).toThrow(/not a media type/);
  });
});
