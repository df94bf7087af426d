export type { ContentNegotiatorOptions, MethodOffers, Negotiation, NegotiationRequest } from './content-negotiator.js';
export { ContentNegotiator } from './content-negotiator.js';
export type { HeadersInput, QueryInput } from './request-input.js';
export type { RequireContentTypeOptions } from './require-content-type.js';
export { requireContentType } from './require-content-type.js';
