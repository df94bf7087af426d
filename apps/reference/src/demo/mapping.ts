/**
 * The Elasticsearch mapping of the demo index. The same document creates the index on Elasticsearch or
 * OpenSearch and tells the embedded SQLite engine which fields are full text, keywords, dates and
 * completion suggesters. `_created` and `_updated` are added by the indexer (as Invenio's does) and
 * drive the `mostrecent` sort; `suggest_title` feeds the `title` suggester.
 *
 * @see https://www.elastic.co/docs/manage-data/data-store/mapping Elasticsearch mapping
 * @example
 * await engine.createIndex('records', demoMapping);
 */
export const demoMapping = {
  // Text is folded to ASCII (Müller matches muller) on every engine: the embedded engine always folds
  // (FTS5 remove_diacritics), so Elasticsearch and OpenSearch get the same default analyzer.
  settings: {
    analysis: {
      analyzer: { default: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] } },
    },
  },
  mappings: {
    dynamic: 'strict',
    properties: {
      $schema: { type: 'keyword', index: false },
      control_number: { type: 'keyword' },
      title: { type: 'text', fields: { raw: { type: 'keyword' } } },
      creators: {
        type: 'object',
        properties: {
          name: { type: 'text', fields: { raw: { type: 'keyword' } } },
          affiliation: { type: 'text', fields: { raw: { type: 'keyword' } } },
          orcid: { type: 'keyword' },
        },
      },
      type: { type: 'keyword' },
      subjects: { type: 'text', fields: { raw: { type: 'keyword' } } },
      publication_date: { type: 'date', format: 'strict_date||strict_year_month||strict_year' },
      description: { type: 'text' },
      language: { type: 'keyword' },
      access: { type: 'keyword' },
      owner: { type: 'keyword' },
      // Elasticsearch keeps (and answers) only the first max_input_length characters of an input, 50 by
      // default: a suggestion would read "Coral reef resilience: a case study of the Great B". 500 is the
      // longest title the schema accepts.
      suggest_title: { type: 'completion', max_input_length: 500 },
      _created: { type: 'date' },
      _updated: { type: 'date' },
    },
  },
} as const;
