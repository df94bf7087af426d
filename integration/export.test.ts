// Export pages over a point in time with search_after: every record exactly once, whatever the page size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SEARCH_ENDPOINT, type TestApp } from './helpers/app.js';

describe('RecordsService.exportRecords', () => {
  let app: TestApp;
  const ctx = { endpoint: 'recid', identity: { id: 'alice' } };
  const ids: string[] = [];

  beforeAll(async () => {
    app = createTestApp({ withSearch: true, endpoints: { recid: SEARCH_ENDPOINT } });
    await app.service.setup();
    for (let i = 0; i < 7; i++)
      ids.push((await app.service.create(ctx, { title: `Export ${i}`, owner: 'alice', type: 'dataset' })).pid.value);
  });

  afterAll(async () => {
    await app.close();
  });

  it.each([1, 2, 3, 7, 500])('yields every record exactly once with pages of %i', async (pageSize) => {
    const seen: string[] = [];
    for await (const record of app.service.exportRecords(ctx, new URLSearchParams('q=export'), pageSize)) seen.push(record.id);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('ignores page, from and size: an export is never cut at a page', async () => {
    const seen: string[] = [];
    for await (const record of app.service.exportRecords(ctx, new URLSearchParams('q=export&page=2&size=1'), 3)) seen.push(record.id);
    expect(seen).toHaveLength(7);
  });

  it('neutralises spreadsheet formulas in CSV cells', async () => {
    await app.service.create(ctx, { title: '=HYPERLINK("http://evil")', owner: 'alice', type: 'formula' });
    const response = await app.resource.handle({ method: 'GET', url: '/records/_export?format=csv&q=hyperlink', headers: {} });
    let text = '';
    for await (const chunk of response.body as AsyncIterable<string>) text += chunk;
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});
