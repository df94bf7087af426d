export type { ErrorOptions } from './errors.js';
export {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InternalServerError,
  InvalidContentTypeError,
  InvalidDataError,
  InvalidQuerySyntaxError,
  MaxResultWindowError,
  MethodNotAllowedError,
  NotAcceptableError,
  NotFoundError,
  PaginationError,
  PatchError,
  PayloadTooLargeError,
  PIDDeletedError,
  PIDDoesNotExistError,
  PIDError,
  PIDRedirectedError,
  PIDUnregisteredError,
  PreconditionFailedError,
  PreconditionRequiredError,
  RateLimitedError,
  SameContentError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UnsupportedSearchFeatureError,
  ValidationError,
} from './errors.js';
export type { FieldErrorJSON } from './field-error.js';
export { FieldError, fieldToPointer } from './field-error.js';
export type { ErrorResponse, ToResponseOptions } from './response.js';
export { JSON_MEDIA_TYPE, PROBLEM_MEDIA_TYPE, sendError, statusTitle, toProblemDetails, toResponse, toRestError } from './response.js';
export type { ErrorCode, RestErrorJSON, RestErrorOptions } from './rest-error.js';
export { codeForStatus, ERROR_CODES, isRestError, RestError } from './rest-error.js';
