// An Elasticsearch mapping compiled into what the engine needs: every field by its full path, with its
// kind, its FTS column or sort slot, its date formats and its nested scope. Anything in the mapping
// the engine cannot honour is refused here, when the index is created, naming the mapping path.

import type { FieldMapping, IndexMapping, JsonObject, JsonValue } from '@recordkit/records-service';
import { compileDateFormats, type DateFormat, DEFAULT_DATE_FORMAT } from './dates.js';
import { invalid, isObject, unsupported } from './errors.js';

/** How the engine stores and compares a field's values. */
export type FieldKind = 'text' | 'keyword' | 'number' | 'date' | 'boolean' | 'completion';

/** One searchable field of an index. */
export interface FieldDef {
  /** Stable small integer, the field's key in the value tables. */
  id: number;
  /** Full dotted path, e.g. `title.raw` or `creators.name`. */
  path: string;
  /** The Elasticsearch type name (`long`, `scaled_float`, ...). */
  type: string;
  kind: FieldKind;
  /** Innermost `nested` path that contains the field, or null for the root document. */
  nested: string | null;
  /** FTS5 column (`c<n>`) of a text field, in the root or nested FTS table. */
  column?: number;
  /** Root keyword/number/date/boolean fields: the slot of their min/max columns in the sort table. */
  sortSlot?: number;
  /** Mapping `boost`, a score multiplier (1 by default). */
  boost: number;
  /** For numbers: whether values are whole numbers (long, integer, short, byte). */
  integer: boolean;
  /** For numbers: precision reduction applied on indexing, like Elasticsearch's storage. */
  numeric?: 'float' | 'half_float' | { scalingFactor: number };
  /** For dates: the formats, first one used for printing. */
  formats?: DateFormat[];
  /** For keywords: longer values are not indexed. */
  ignoreAbove?: number;
  /** For keywords: fold case (and diacritics) at index and query time (a `lowercase`/`asciifolding` normalizer). */
  normalizer?: 'lowercase' | 'fold';
  /** Value indexed in place of an explicit null. */
  nullValue?: JsonValue;
  /** `index: false`: kept in `_source`, not searchable. */
  indexed: boolean;
  coerce: boolean;
  ignoreMalformed: boolean;
  /** Completion fields: analyzer and category contexts. */
  completion?: { analyzer: 'simple' | 'standard' | 'keyword'; maxInputLength: number; contexts: { name: string; path?: string }[] };
  /** Fields that also receive this field's values. */
  copyTo: string[];
  /** Whether a multi-field (`fields`) of another field. */
  multiField: boolean;
}

/** A `nested` object path. */
export interface NestedDef {
  id: number;
  path: string;
  parent: string | null;
}

/** A mapping node as the document walker sees it. */
export interface MappingNode {
  /** Full path of this property. */
  path: string;
  /** The field of this property itself (leaf properties). */
  field?: FieldDef;
  /** Sub-fields declared under `fields`. */
  multiFields: FieldDef[];
  /** Child properties (objects and nested). */
  properties?: Map<string, MappingNode>;
  nested: boolean;
  /** `enabled: false` objects are kept in `_source` only. */
  enabled: boolean;
  dynamic: boolean | 'strict';
  /** A type this engine keeps in `_source` but cannot search (geo_point, ip, ...). */
  unsupportedType?: string;
}

/** A compiled index mapping. */
export interface IndexSchema {
  /** Every field by full path (multi-fields included). */
  fields: Map<string, FieldDef>;
  /** Object and nested paths (not fields themselves). */
  objects: Set<string>;
  nested: Map<string, NestedDef>;
  root: MappingNode;
  /** Paths of properties with types the engine does not support, by path. */
  unsupportedTypes: Map<string, string>;
  rootTextColumns: number;
  nestedTextColumns: number;
  sortSlots: number;
  /** `index.query.default_field` (default `*`). */
  defaultFields: string[];
  /** Names of analyzers from the settings that behave like the engine's tokenizer. */
  maxResultWindow: number;
}

const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte']);
const FLOAT_TYPES = new Set(['double', 'float', 'half_float', 'scaled_float']);
/** Mapping options that do not change which documents match (or that the engine honours), per kind. */
const COMMON_OPTIONS = ['type', 'store', 'doc_values', 'index', 'copy_to', 'fields', 'meta', 'similarity', 'boost'];
const OPTIONS: Record<FieldKind, string[]> = {
  text: [
    ...COMMON_OPTIONS,
    'analyzer',
    'search_analyzer',
    'search_quote_analyzer',
    'norms',
    'index_options',
    'term_vector',
    'position_increment_gap',
    'eager_global_ordinals',
    'index_phrases',
  ],
  keyword: [
    ...COMMON_OPTIONS,
    'ignore_above',
    'null_value',
    'normalizer',
    'eager_global_ordinals',
    'norms',
    'index_options',
    'split_queries_on_whitespace',
  ],
  number: [...COMMON_OPTIONS, 'coerce', 'ignore_malformed', 'null_value', 'scaling_factor'],
  date: [...COMMON_OPTIONS, 'format', 'ignore_malformed', 'null_value', 'locale'],
  boolean: [...COMMON_OPTIONS, 'null_value'],
  completion: [
    'type',
    'analyzer',
    'search_analyzer',
    'max_input_length',
    'preserve_separators',
    'preserve_position_increments',
    'contexts',
    'meta',
  ],
};
/** Types kept in `_source` only; queries, sorts and aggregations on them are refused. */
const SOURCE_ONLY_TYPES = new Set([
  'geo_point',
  'geo_shape',
  'ip',
  'binary',
  'flattened',
  'search_as_you_type',
  'match_only_text',
  'wildcard',
  'constant_keyword',
  'date_nanos',
  'unsigned_long',
  'dense_vector',
  'sparse_vector',
  'rank_feature',
  'rank_features',
  'integer_range',
  'long_range',
  'float_range',
  'double_range',
  'date_range',
  'ip_range',
  'alias',
  'token_count',
  'version',
  'histogram',
  'point',
  'shape',
  'percolator',
  'join',
  'semantic_text',
]);

/** Split `{ mappings: { properties } }` or `{ properties }` into properties, root options and settings. */
function splitMapping(mapping: IndexMapping): {
  properties: Record<string, FieldMapping>;
  dynamic: boolean | 'strict';
  settings: JsonObject;
} {
  if (!isObject(mapping)) invalid('mapping', 'Expected an object with `mappings.properties` or `properties`.');
  const body = (mapping.mappings ?? mapping) as Record<string, unknown>;
  if (!isObject(body)) invalid('mappings', 'Expected an object.');
  const properties = body.properties ?? {};
  if (!isObject(properties)) invalid('mappings.properties', 'Expected an object.');
  for (const key of Object.keys(body)) {
    if (
      ![
        'properties',
        'dynamic',
        '_source',
        'date_detection',
        'numeric_detection',
        'dynamic_templates',
        '_meta',
        'settings',
        'mappings',
      ].includes(key)
    ) {
      unsupported(`mappings.${key}`);
    }
  }
  const source = body._source;
  if (source !== undefined && !(isObject(source) && Object.keys(source).every((k) => k === 'enabled') && source.enabled !== false)) {
    unsupported('mappings._source', 'Only the default `_source` (kept whole) is supported.');
  }
  const dynamicRaw = body.dynamic;
  let dynamic: boolean | 'strict' = true;
  if (dynamicRaw === 'strict') dynamic = 'strict';
  else if (dynamicRaw === false || dynamicRaw === 'false') dynamic = false;
  else if (dynamicRaw !== undefined && dynamicRaw !== true && dynamicRaw !== 'true')
    unsupported('mappings.dynamic', `dynamic: ${JSON.stringify(dynamicRaw)}`);
  const settings = (mapping.settings ?? {}) as JsonObject;
  return { properties: properties as Record<string, FieldMapping>, dynamic, settings };
}

/** Analyzer names the engine treats as its own tokenizer: standard-tokenized, lower-cased, optionally ASCII-folded. */
function compatibleAnalyzers(settings: JsonObject): { analyzers: Set<string>; normalizers: Map<string, 'lowercase' | 'fold'> } {
  const analyzers = new Set(['standard', 'default', 'simple']);
  const normalizers = new Map<string, 'lowercase' | 'fold'>();
  const analysis = (isObject(settings.index) && isObject(settings.index.analysis) ? settings.index.analysis : settings.analysis) as unknown;
  if (isObject(analysis)) {
    const defined = isObject(analysis.analyzer) ? analysis.analyzer : {};
    for (const [name, def] of Object.entries(defined)) {
      if (!isObject(def)) continue;
      const filters = Array.isArray(def.filter) ? def.filter : [];
      const tokenizerOk = def.tokenizer === 'standard' || def.type === 'standard';
      if (tokenizerOk && filters.every((f) => f === 'lowercase' || f === 'asciifolding') && def.char_filter === undefined)
        analyzers.add(name);
      else analyzers.delete(name);
    }
    const definedNormalizers = isObject(analysis.normalizer) ? analysis.normalizer : {};
    for (const [name, def] of Object.entries(definedNormalizers)) {
      if (!isObject(def)) continue;
      const filters = Array.isArray(def.filter) ? def.filter : [];
      if (filters.length > 0 && filters.every((f) => f === 'lowercase' || f === 'asciifolding') && def.char_filter === undefined) {
        normalizers.set(name, filters.includes('asciifolding') ? 'fold' : 'lowercase');
      }
    }
  }
  return { analyzers, normalizers };
}

function readSetting(settings: JsonObject, path: string[]): unknown {
  let node: unknown = settings;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Compile a mapping document. Fields get ids in mapping order, so a stored mapping compiles to the
 * same ids every time it is opened.
 *
 * @example
 * compileMapping({ mappings: { properties: { title: { type: 'text' }, year: { type: 'integer' } } } }).fields.get('year');
 */
export function compileMapping(mapping: IndexMapping): IndexSchema {
  const { properties, dynamic, settings } = splitMapping(mapping);
  const { analyzers, normalizers } = compatibleAnalyzers(settings);
  const fields = new Map<string, FieldDef>();
  const objects = new Set<string>();
  const nested = new Map<string, NestedDef>();
  const unsupportedTypes = new Map<string, string>();
  let nextId = 1;
  let rootText = 0;
  let nestedText = 0;
  let sortSlots = 0;

  const makeField = (
    path: string,
    def: FieldMapping,
    mappingPath: string,
    nestedPath: string | null,
    multiField: boolean,
  ): FieldDef | undefined => {
    const type = def.type ?? 'object';
    let kind: FieldKind;
    if (type === 'text') kind = 'text';
    else if (type === 'keyword') kind = 'keyword';
    else if (INTEGER_TYPES.has(type) || FLOAT_TYPES.has(type)) kind = 'number';
    else if (type === 'date') kind = 'date';
    else if (type === 'boolean') kind = 'boolean';
    else if (type === 'completion') kind = 'completion';
    else if (SOURCE_ONLY_TYPES.has(type)) {
      unsupportedTypes.set(path, type);
      return undefined;
    } else invalid(`${mappingPath}.type`, `Unknown field type ${JSON.stringify(type)}.`);
    for (const key of Object.keys(def)) {
      if (key === 'properties' && !multiField) continue;
      if (!OPTIONS[kind].includes(key)) unsupported(`${mappingPath}.${key}`, `Option ${key} of ${type} fields.`);
    }
    if (kind === 'completion' && nestedPath !== null) unsupported(mappingPath, 'Completion fields inside nested objects.');
    const field: FieldDef = {
      id: nextId++,
      path,
      type,
      kind,
      nested: nestedPath,
      boost: typeof def.boost === 'number' ? def.boost : 1,
      integer: INTEGER_TYPES.has(type),
      indexed: def.index !== false,
      coerce: def.coerce !== false,
      ignoreMalformed: def.ignore_malformed === true,
      copyTo: def.copy_to === undefined ? [] : Array.isArray(def.copy_to) ? def.copy_to : [def.copy_to],
      multiField,
    };
    if (def.null_value !== undefined && def.null_value !== null) field.nullValue = def.null_value as JsonValue;
    if (kind === 'text') {
      for (const option of ['analyzer', 'search_analyzer', 'search_quote_analyzer'] as const) {
        const name = def[option];
        if (name !== undefined && (typeof name !== 'string' || !analyzers.has(name))) {
          unsupported(
            `${mappingPath}.${option}`,
            `Analyzer ${JSON.stringify(name)}: only the standard tokenizer with lowercase/asciifolding is supported.`,
          );
        }
      }
      if (def.analyzer === 'simple') unsupported(`${mappingPath}.analyzer`, 'The simple analyzer on text fields.');
      if (field.indexed) {
        if (nestedPath === null) field.column = rootText++;
        else field.column = nestedText++;
      }
    }
    if (kind === 'keyword') {
      if (typeof def.ignore_above === 'number') field.ignoreAbove = def.ignore_above;
      if (def.normalizer !== undefined) {
        const normalizer = typeof def.normalizer === 'string' ? normalizers.get(def.normalizer) : undefined;
        if (!normalizer)
          unsupported(`${mappingPath}.normalizer`, 'Only normalizers made of lowercase and asciifolding filters are supported.');
        field.normalizer = normalizer;
      }
    }
    if (kind === 'number') {
      if (type === 'float') field.numeric = 'float';
      if (type === 'half_float') field.numeric = 'half_float';
      if (type === 'scaled_float') {
        if (typeof def.scaling_factor !== 'number' || !(def.scaling_factor > 0))
          invalid(`${mappingPath}.scaling_factor`, 'A positive number is required.');
        field.numeric = { scalingFactor: def.scaling_factor };
      }
    }
    if (kind === 'date') {
      const spec = def.format === undefined ? DEFAULT_DATE_FORMAT : def.format;
      const formats = typeof spec === 'string' ? compileDateFormats(spec) : undefined;
      if (!formats) unsupported(`${mappingPath}.format`, `Date format ${JSON.stringify(spec)}.`);
      field.formats = formats;
    }
    if (kind === 'completion') {
      const analyzer = def.analyzer ?? 'simple';
      if (analyzer !== 'simple' && analyzer !== 'standard' && analyzer !== 'keyword')
        unsupported(`${mappingPath}.analyzer`, `Completion analyzer ${JSON.stringify(analyzer)}.`);
      if (def.search_analyzer !== undefined && def.search_analyzer !== analyzer) unsupported(`${mappingPath}.search_analyzer`);
      if (def.preserve_separators === false) unsupported(`${mappingPath}.preserve_separators`);
      if (def.preserve_position_increments === false) unsupported(`${mappingPath}.preserve_position_increments`);
      const contexts = (def.contexts ?? []).map((c, i) => {
        if (c.type !== 'category')
          unsupported(`${mappingPath}.contexts.${i}.type`, `Context type ${JSON.stringify(c.type)}; only category contexts are supported.`);
        return c.path === undefined ? { name: c.name } : { name: c.name, path: c.path };
      });
      field.completion = {
        analyzer,
        maxInputLength: typeof def.max_input_length === 'number' ? def.max_input_length : 50,
        contexts,
      };
    }
    if ((kind === 'keyword' || kind === 'number' || kind === 'date' || kind === 'boolean') && nestedPath === null && field.indexed) {
      field.sortSlot = sortSlots++;
    }
    fields.set(path, field);
    return field;
  };

  const walk = (
    props: Record<string, FieldMapping>,
    prefix: string,
    mappingPrefix: string,
    nestedPath: string | null,
    parentDynamic: boolean | 'strict',
  ): Map<string, MappingNode> => {
    const nodes = new Map<string, MappingNode>();
    for (const [name, rawDef] of Object.entries(props)) {
      const mappingPath = `${mappingPrefix}.${name}`;
      if (!isObject(rawDef)) invalid(mappingPath, 'Expected a field mapping object.');
      if (name === '' || name.startsWith('.') || name.endsWith('.')) invalid(mappingPath, 'Invalid field name.');
      const def = rawDef as FieldMapping;
      const path = prefix === '' ? name : `${prefix}.${name}`;
      const type = def.type ?? (def.properties ? 'object' : 'object');
      if (name.includes('.')) {
        // `"a.b": {...}` is shorthand for an object `a` with property `b`.
        const [head, ...rest] = name.split('.');
        const expanded = { [head!]: { properties: { [rest.join('.')]: def } } } as Record<string, FieldMapping>;
        for (const [k, v] of walk(expanded, prefix, mappingPrefix, nestedPath, parentDynamic)) nodes.set(k, v);
        continue;
      }
      if (type === 'object' || type === 'nested') {
        const allowed = ['type', 'properties', 'dynamic', 'enabled', 'include_in_parent', 'include_in_root', 'subobjects'];
        for (const key of Object.keys(def))
          if (!allowed.includes(key)) unsupported(`${mappingPath}.${key}`, `Option ${key} of ${type} fields.`);
        if (def.include_in_parent === true || def.include_in_root === true)
          unsupported(`${mappingPath}.include_in_${def.include_in_parent ? 'parent' : 'root'}`);
        if (def.subobjects === false) unsupported(`${mappingPath}.subobjects`);
        objects.add(path);
        let childNested = nestedPath;
        if (type === 'nested') {
          nested.set(path, { id: nested.size + 1, path, parent: nestedPath });
          childNested = path;
        }
        const dyn =
          def.dynamic === 'strict'
            ? 'strict'
            : def.dynamic === false || def.dynamic === 'false'
              ? false
              : def.dynamic === undefined
                ? parentDynamic
                : true;
        const enabled = def.enabled !== false;
        const node: MappingNode = {
          path,
          multiFields: [],
          nested: type === 'nested',
          enabled,
          dynamic: dyn,
        };
        if (!isObject(def.properties ?? {})) invalid(`${mappingPath}.properties`, 'Expected an object.');
        node.properties = enabled ? walk(def.properties ?? {}, path, `${mappingPath}.properties`, childNested, dyn) : new Map();
        nodes.set(name, node);
        continue;
      }
      const field = makeField(path, def, mappingPath, nestedPath, false);
      const node: MappingNode = { path, multiFields: [], nested: false, enabled: true, dynamic: parentDynamic };
      if (field) node.field = field;
      else node.unsupportedType = type;
      if (def.fields !== undefined) {
        if (!isObject(def.fields)) invalid(`${mappingPath}.fields`, 'Expected an object.');
        for (const [sub, subDef] of Object.entries(def.fields)) {
          if (!isObject(subDef)) invalid(`${mappingPath}.fields.${sub}`, 'Expected a field mapping object.');
          if ((subDef as FieldMapping).fields !== undefined) unsupported(`${mappingPath}.fields.${sub}.fields`);
          const subField = makeField(`${path}.${sub}`, subDef as FieldMapping, `${mappingPath}.fields.${sub}`, nestedPath, true);
          if (subField) node.multiFields.push(subField);
        }
      }
      nodes.set(name, node);
    }
    return nodes;
  };

  const rootProperties = walk(properties, '', 'mappings.properties', null, dynamic);
  for (const field of fields.values()) {
    for (const target of field.copyTo) {
      const t = fields.get(target);
      if (!t) invalid(`mappings.properties.${field.path}.copy_to`, `copy_to target ${JSON.stringify(target)} is not a mapped field.`);
      if (t.nested !== field.nested) unsupported(`mappings.properties.${field.path}.copy_to`, 'copy_to across nested scopes.');
    }
  }

  const defaultFieldSetting =
    readSetting(settings, ['index', 'query', 'default_field']) ?? readSetting(settings, ['index.query.default_field']);
  const defaultFields =
    defaultFieldSetting === undefined
      ? ['*']
      : Array.isArray(defaultFieldSetting)
        ? defaultFieldSetting.map(String)
        : [String(defaultFieldSetting)];
  const windowSetting = readSetting(settings, ['index', 'max_result_window']) ?? readSetting(settings, ['index.max_result_window']);
  const maxResultWindow =
    typeof windowSetting === 'number' ? windowSetting : typeof windowSetting === 'string' ? Number(windowSetting) : 10_000;

  return {
    fields,
    objects,
    nested,
    root: { path: '', multiFields: [], properties: rootProperties, nested: false, enabled: true, dynamic },
    unsupportedTypes,
    rootTextColumns: rootText,
    nestedTextColumns: nestedText,
    sortSlots,
    defaultFields,
    maxResultWindow: Number.isFinite(maxResultWindow) && maxResultWindow > 0 ? maxResultWindow : 10_000,
  };
}

/** Canonical JSON (sorted keys), to tell whether two mappings are the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Match a field-name pattern with `*` wildcards (as in `fields: ["title*"]`) against a path. */
export function fieldPatternMatches(pattern: string, path: string): boolean {
  if (!pattern.includes('*')) return pattern === path;
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
  return regex.test(path);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
