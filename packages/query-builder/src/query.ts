import { FieldError, InvalidQuerySyntaxError, ValidationError } from '@recordkit/rest-errors';
import type { Query } from './dsl.js';
import { escapeQueryText, type FieldRef, type GroupNode, parseQueryString, type QueryNode, QuerySyntaxError } from './query-parser.js';

/** How the `q` parameter becomes a query: the syntax, its options, and which fields clients may search. */
export interface QueryOptions {
  /**
   * `query_string` (default): Lucene syntax, checked here first so a syntax error is a 400 with its position.
   * `simple_query_string`: the forgiving syntax, never an error; field prefixes are not interpreted.
   */
  syntax?: 'query_string' | 'simple_query_string';
  /** Operator between terms without one (`default_operator`); the engine's default is `OR`. */
  defaultOperator?: 'AND' | 'OR';
  /** Index fields searched by terms without a field (`fields`); the engine's default is every field. */
  defaultFields?: string[];
  /** With `query_string`: on a syntax error, search the text with `simple_query_string` instead of answering 400. */
  onSyntaxError?: 'reject' | 'simple_query_string';
  /** Field names clients write, and which they may use (Invenio's newer `SearchFieldTransformer`). */
  fields?: {
    /** Public name -> index field, e.g. `{ title: 'metadata.title' }`. Names not listed pass through unchanged. */
    map?: Record<string, string>;
    /**
     * Index fields (after `map`) a query may search; any other is a 400 "Invalid search field: x.", also
     * inside `_exists_:x`. Without `defaultFields`, terms without a field then search exactly these
     * fields (leniently), never the whole document.
     */
    allow?: string[];
  };
  /** Deepest nesting of parentheses (default 32). */
  maxDepth?: number;
  /** Replace all of the above with your own parser (Invenio's `search_query_parser`); may throw a RestError. */
  parser?: (q: string) => Query;
}

/**
 * True when `q` holds something to search for (not missing, empty or blank).
 *
 * @example
 * hasQueryText(new URLSearchParams('q=%20').get('q')); // false
 */
export function hasQueryText(q: string | null | undefined): q is string {
  return typeof q === 'string' && q.trim() !== '';
}

/**
 * Build the query for the `q` parameter: `match_all` when it is missing or blank, otherwise a
 * `query_string` (or `simple_query_string`) with the configured options. The text is parsed first:
 * a syntax error throws `InvalidQuerySyntaxError` (400, with the position) and a field outside the
 * allow-list throws `ValidationError` (400, "Invalid search field: x."), instead of a search-engine error.
 * Mapped field names are rewritten in the text sent to the engine.
 *
 * @example
 * buildQuery('title:open AND year:>2000', { fields: { map: { title: 'metadata.title' } } });
 * // { query_string: { query: 'metadata.title:open AND year:>2000' } }
 * buildQuery(''); // { match_all: {} }
 */
export function buildQuery(q: string | null | undefined, options: QueryOptions = {}): Query {
  if (!hasQueryText(q)) return { match_all: {} };
  if (options.parser) return options.parser(q);
  if (options.syntax === 'simple_query_string') return simple(q, options);
  let ast: GroupNode;
  try {
    ast = parseQueryString(q, options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth });
  } catch (error) {
    if (!(error instanceof QuerySyntaxError)) throw error;
    if (options.onSyntaxError === 'simple_query_string') return simple(q, options);
    throw new InvalidQuerySyntaxError({ query: q, position: error.position, reason: error.reason });
  }
  const query = options.fields ? rewriteFields(q, ast, options.fields) : q;
  const body: Extract<Query, { query_string: unknown }>['query_string'] = { query };
  if (options.defaultOperator) body.default_operator = options.defaultOperator;
  const fields = options.defaultFields ?? options.fields?.allow;
  if (fields) body.fields = [...fields];
  if (!options.defaultFields && options.fields?.allow) body.lenient = true;
  return { query_string: body };
}

function simple(q: string, options: QueryOptions): Query {
  const body: Extract<Query, { simple_query_string: unknown }>['simple_query_string'] = { query: q };
  if (options.defaultOperator) body.default_operator = options.defaultOperator;
  const fields = options.defaultFields ?? options.fields?.allow;
  if (fields) body.fields = [...fields];
  if (!options.defaultFields && options.fields?.allow) body.lenient = true;
  return { simple_query_string: body };
}

/** Every field name written in the query, with whether it names a field to search (`_exists_` does not). */
function collectFields(node: QueryNode, out: FieldRef[]): FieldRef[] {
  switch (node.type) {
    case 'group':
      if (node.field && node.field.name !== '_exists_') out.push(node.field);
      for (const clause of node.clauses) collectFields(clause.node, out);
      break;
    case 'exists':
      out.push(node.field);
      break;
    case 'match_all':
      break;
    default:
      if (node.field) out.push(node.field);
  }
  return out;
}

function rewriteFields(q: string, ast: GroupNode, config: NonNullable<QueryOptions['fields']>): string {
  const map = new Map(Object.entries(config.map ?? {}));
  const allow = config.allow ? new Set(config.allow) : undefined;
  // A field written once before a group is shared by the group's terms: one edit per written name.
  const refs = [...new Map(collectFields(ast, []).map((ref) => [ref.start, ref])).values()];
  const errors: FieldError[] = [];
  const edits: { ref: FieldRef; name: string }[] = [];
  for (const ref of refs) {
    const name = map.get(ref.name) ?? ref.name;
    if (allow && !allow.has(name)) {
      if (!errors.some((e) => e.message.endsWith(`: ${ref.name}.`))) {
        errors.push(new FieldError('q', `Invalid search field: ${ref.name}.`, 'invalid_search_field'));
      }
      continue;
    }
    if (name !== ref.name) edits.push({ ref, name });
  }
  if (errors.length) throw new ValidationError(errors);
  let out = q;
  for (const { ref, name } of edits.sort((a, b) => b.ref.start - a.ref.start)) {
    out = out.slice(0, ref.start) + escapeQueryText(name) + out.slice(ref.end);
  }
  return out;
}
