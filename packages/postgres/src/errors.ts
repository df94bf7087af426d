// How a failure of the driver or the server becomes what the port promises: a 503 when the database
// cannot serve the request right now, a retry when doing it again is safe, anything else left alone
// (a bug, which the HTTP layer turns into a 500 without details).
import { ServiceUnavailableError } from '@recordkit/rest-errors';

/** Socket-level failures: the server is down, unreachable, or dropped the connection. */
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** pg's own messages for a connection that is gone or never came up (it sets no code on these). */
const DRIVER_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed)/;

/**
 * SQLSTATEs (PostgreSQL Appendix A) meaning "the database cannot serve this now", with whether the
 * same request may simply be tried again on a fresh connection.
 */
const UNAVAILABLE_STATES: Record<string, 'retry' | 'fail'> = {
  '57P01': 'retry', // admin_shutdown: the backend was terminated (pg_terminate_backend, fast shutdown)
  '57P02': 'retry', // crash_shutdown
  '57P03': 'retry', // cannot_connect_now: starting up or shutting down
  '53300': 'retry', // too_many_connections
  '53000': 'fail', // insufficient_resources
  '53100': 'fail', // disk_full
  '53200': 'fail', // out_of_memory
  '57014': 'fail', // query_canceled: statement_timeout fired
  '55P03': 'fail', // lock_not_available: lock_timeout fired
  '25P03': 'fail', // idle_in_transaction_session_timeout
  '3D000': 'fail', // invalid_catalog_name: the database does not exist
  '28000': 'fail', // invalid_authorization_specification
  '28P01': 'fail', // invalid_password
};

/** Serialization failures and deadlocks: the transaction was rolled back and may be run again. */
const RETRY_TRANSACTION_STATES = new Set(['40001', '40P01']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The kind of a failure, for the retry loop and the translation to a REST error. */
export type FailureKind =
  /** The connection is gone or could not be made; a fresh connection may work. */
  | 'connection'
  /** The server answered that it cannot serve this now; trying again right away will not help. */
  | 'unavailable'
  /** The transaction lost a race (serialization failure, deadlock) and may be run again. */
  | 'retry-transaction'
  /** Anything else: a bug or a constraint the caller did not anticipate. */
  | 'other';

/**
 * Classify an error thrown by `pg` (a `DatabaseError` with a SQLSTATE, a Node socket error, or one of
 * the driver's own connection messages).
 */
export function classifyFailure(error: unknown): FailureKind {
  const code = errorCode(error);
  if (code !== undefined) {
    if (SOCKET_ERRORS.has(code)) return 'connection';
    if (code.startsWith('08')) return 'connection'; // connection_exception class
    const unavailable = UNAVAILABLE_STATES[code];
    if (unavailable === 'retry') return 'connection';
    if (unavailable === 'fail') return 'unavailable';
    if (RETRY_TRANSACTION_STATES.has(code)) return 'retry-transaction';
  }
  if (error instanceof AggregateError && error.errors.some((e) => classifyFailure(e) === 'connection')) return 'connection';
  if (error instanceof Error && DRIVER_MESSAGES.test(error.message)) return 'connection';
  return 'other';
}

/** True when the driver's client can no longer be used and must be discarded rather than returned to the pool. */
export function isBrokenConnection(error: unknown): boolean {
  return classifyFailure(error) === 'connection';
}

/**
 * The error to throw for a failure after retries: a `ServiceUnavailableError` (503, with `Retry-After`)
 * for the availability kinds, the original error otherwise. The original is kept as `cause` for logs;
 * the message a client sees says nothing about the database.
 */
export function translateFailure(error: unknown, retryAfterSeconds: number): unknown {
  const kind = classifyFailure(error);
  if (kind === 'other') return error;
  const message =
    errorCode(error) === '57014'
      ? 'The record store did not answer in time. Try again later.'
      : 'The record store is temporarily unavailable. Try again later.';
  return new ServiceUnavailableError(retryAfterSeconds, message, { cause: error });
}

/** SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = errorCode(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
