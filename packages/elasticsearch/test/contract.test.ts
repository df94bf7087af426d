// The shared SearchEngine contract of @recordkit/records-service, on every real engine that is running.
import { searchEngineContract } from '@recordkit/records-service/testing';
import { describe } from 'vitest';
import { ENGINES, engineFor } from './support.js';

for (const target of ENGINES) {
  describe.skipIf(!target.url)(`ElasticsearchSearchEngine on ${target.label}`, () => {
    searchEngineContract(`ElasticsearchSearchEngine on ${target.label}`, () => ({ engine: engineFor(target, 'contract') }));
  });
}
