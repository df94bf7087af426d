import { allowAll, type Identity, type Permission, type RecordHooks, type SearchFilter } from '@recordkit/records-service';

/** Fields and role the reference policy reads. */
export interface ReferencePolicyOptions {
  /** Metadata field naming the owner (default `owner`). */
  ownerField?: string;
  /** Metadata field holding `public` or `restricted` (default `access`). */
  accessField?: string;
  /** Role that creates, updates, deletes and reads everything (default `curator`). */
  curatorRole?: string;
}

/** The permissions, search filter and create hook of a policy, in records-service's terms. */
export interface PolicyParts {
  permissions: { list: Permission; read: Permission; create: Permission; update: Permission; delete: Permission };
  searchFilter?: SearchFilter;
  hooks?: RecordHooks;
}

/**
 * The reference server's policy. Anyone (anonymous included) lists and searches, and reads public
 * records; a restricted record is readable only by its owner and by curators, and the search filter
 * keeps it out of everyone else's hits, totals, aggregation counts, suggestions and exports. Only
 * curators create, update and delete. A record created without an owner belongs to its creator.
 *
 * @example
 * const { permissions, searchFilter, hooks } = referencePolicy({ curatorRole: 'editor' });
 */
export function referencePolicy(options: ReferencePolicyOptions = {}): PolicyParts {
  const ownerField = options.ownerField ?? 'owner';
  const accessField = options.accessField ?? 'access';
  const curator = options.curatorRole ?? 'curator';
  const isCurator = (identity: Identity | null | undefined) => identity?.roles?.includes(curator) === true;

  const read: Permission = ({ identity, record }) => {
    if (isCurator(identity)) return true;
    const metadata = record?.metadata ?? {};
    if (metadata[accessField] !== 'restricted') return true;
    return identity != null && metadata[ownerField] === identity.id;
  };
  const curate: Permission = ({ identity }) => isCurator(identity);

  const searchFilter: SearchFilter = (identity) => {
    if (isCurator(identity)) return undefined;
    const notRestricted = { bool: { must_not: [{ term: { [accessField]: 'restricted' } }] } };
    if (identity == null) return notRestricted;
    return { bool: { should: [notRestricted, { term: { [ownerField]: identity.id } }], minimum_should_match: 1 } };
  };

  const hooks: RecordHooks = {
    beforeCreate: ({ identity, metadata }) => {
      if (identity == null || Object.hasOwn(metadata, ownerField)) return undefined;
      return { ...metadata, [ownerField]: identity.id };
    },
  };

  return { permissions: { list: allowAll, read, create: curate, update: curate, delete: curate }, searchFilter, hooks };
}

/**
 * Everyone may do everything: for local experiments with a schema of your own. Never expose a server
 * with this policy.
 *
 * @example
 * defineConfig({ endpoints: { recid: { ...defaultEndpoint, permissions: 'open' } } });
 */
export function openPolicy(): PolicyParts {
  return { permissions: { list: allowAll, read: allowAll, create: allowAll, update: allowAll, delete: allowAll } };
}
