import { ForbiddenError, UnauthorizedError } from '@recordkit/rest-errors';
import type { JsonObject } from './ports.js';

/**
 * Who is asking. `undefined` (or `null`) is the anonymous client. How an identity is established
 * (Bearer token, session) is the application's business; the service only reads it.
 */
export interface Identity {
  /** Stable user id (compare with an owner field). */
  id: string;
  /** Roles such as `curator` or `admin`. */
  roles?: readonly string[];
  [key: string]: unknown;
}

/** The actions a permission is asked about (Invenio's read/create/update/delete/list factories). */
export type Action = 'list' | 'read' | 'create' | 'update' | 'delete';

/** What a permission check sees. */
export interface PermissionContext {
  identity: Identity | null | undefined;
  action: Action;
  /** The endpoint name. */
  endpoint: string;
  /**
   * `read`/`update`/`delete`: the current record (metadata, id, revision). `create`: the loaded body
   * (`metadata` only). `list`: undefined.
   */
  record?: { id?: string; metadata: JsonObject; revision?: number };
}

/**
 * A permission check: true to allow. Invenio's `factory(record).can()` as one function. May be async
 * (look up group membership, ACLs).
 */
export type Permission = (context: PermissionContext) => boolean | Promise<boolean>;

/**
 * The search-time half of the read permission: an Elasticsearch query clause that matches exactly the
 * records the identity may read, or `undefined` for "all". The service adds it as a `bool.filter` to
 * every search, count, aggregation, export and suggestion check, so totals and facet counts never
 * include records the identity cannot read. Keep it consistent with the endpoint's `read` permission.
 */
export type SearchFilter = (identity: Identity | null | undefined, endpoint: string) => JsonObject | undefined;

/**
 * Allow everyone (Invenio's `allow_all`).
 *
 * @example
 * { permissions: { list: allowAll } }
 */
export const allowAll: Permission = () => true;

/**
 * Deny everyone (Invenio's `deny_all`): 401 for anonymous, 403 otherwise.
 *
 * @example
 * { permissions: { delete: denyAll } }
 */
export const denyAll: Permission = () => false;

/**
 * Allow any authenticated identity.
 *
 * @example
 * { permissions: { create: authenticated } }
 */
export const authenticated: Permission = ({ identity }) => identity != null;

/**
 * Allow identities holding one of the roles.
 *
 * @example
 * { permissions: { update: hasRole('curator'), delete: hasRole('curator') } }
 */
export function hasRole(...roles: string[]): Permission {
  return ({ identity }) => identity?.roles?.some((role) => roles.includes(role)) === true;
}

/**
 * Allow when any of the checks allows.
 *
 * @example
 * anyOf(hasRole('curator'), ownerOf('owner'))
 */
export function anyOf(...checks: Permission[]): Permission {
  return async (context) => {
    for (const check of checks) if (await check(context)) return true;
    return false;
  };
}

/**
 * Allow the identity whose id is in the record's `field` (a top-level metadata key holding an id or a
 * list of ids). On create, the body must name the identity itself.
 *
 * @example
 * { permissions: { update: anyOf(hasRole('curator'), ownerOf('owners')) } }
 */
export function ownerOf(field: string): Permission {
  return ({ identity, record }) => {
    if (identity == null || record === undefined) return false;
    const value = record.metadata[field];
    return Array.isArray(value) ? value.includes(identity.id) : value === identity.id;
  };
}

/**
 * Invenio's defaults: list and read allowed, writes denied.
 * @example
 * { permissions: { ...DEFAULT_PERMISSIONS, create: authenticated } }
 */
export const DEFAULT_PERMISSIONS: Readonly<Record<Action, Permission>> = Object.freeze({
  list: allowAll,
  read: allowAll,
  create: denyAll,
  update: denyAll,
  delete: denyAll,
});

/**
 * Run a permission check; a refusal is 401 for the anonymous client (so it knows to authenticate) and
 * 403 for an authenticated one, as Invenio's `verify_record_permission` does.
 *
 * @example
 * await requirePermission(denyAll, { identity: undefined, action: 'create', endpoint: 'recid' }); // throws 401
 */
export async function requirePermission(permission: Permission, context: PermissionContext): Promise<void> {
  if (await permission(context)) return;
  if (context.identity == null) throw new UnauthorizedError();
  throw new ForbiddenError();
}
