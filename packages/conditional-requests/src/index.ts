export { EntityTag, EntityTagList } from './entity-tag.js';
export type { RevisionETagOptions } from './etags.js';
export { contentETag, revisionETag } from './etags.js';
export type { HeadersInput } from './headers.js';
export { formatHttpDate, HttpDate } from './http-date.js';
export type {
  ConditionalRequest,
  PreconditionHeader,
  PreconditionOptions,
  PreconditionResult,
  ResourceState,
} from './preconditions.js';
export { evaluatePreconditions, notModifiedHeaders } from './preconditions.js';
