import type { PIDRef, StoredRecord } from './ports.js';

/** What a links factory sees. */
export interface LinksContext {
  /** The record's PID. */
  pid: PIDRef;
  /** The record, when known (absent for a search hit built from the index only). */
  record?: StoredRecord;
  /** The endpoint name. */
  endpoint: string;
  /** The absolute URL of the record on its PID type's default endpoint. */
  itemUrl: string;
}

/**
 * Builds a record's `links` (Invenio's `links_factory_imp`): relation name -> absolute URL. Every
 * entry also goes into the `Link` header of item responses (RFC 8288).
 */
export type LinksFactory = (context: LinksContext) => Record<string, string>;

/**
 * Invenio's `default_links_factory`: `{ self: <item URL> }`.
 *
 * @example
 * defaultLinksFactory({ pid, endpoint: 'recid', itemUrl: 'https://example.org/records/1' }); // { self: 'https://example.org/records/1' }
 */
export const defaultLinksFactory: LinksFactory = ({ itemUrl }) => ({ self: itemUrl });

/**
 * `self` plus extra links from templates with `{pid}`, `{pidType}`, `{id}` and `{itemUrl}` placeholders
 * (Invenio's `default_links_factory_with_additional`, without the request host: URLs come from the
 * configured base URL).
 *
 * @example
 * linksWithAdditional({ html: 'https://example.org/records/{pid}' })
 */
export function linksWithAdditional(templates: Readonly<Record<string, string>>): LinksFactory {
  return (context) => {
    const links: Record<string, string> = { self: context.itemUrl };
    for (const [name, template] of Object.entries(templates)) {
      links[name] = template
        .replaceAll('{pid}', encodeURIComponent(context.pid.value))
        .replaceAll('{pidType}', encodeURIComponent(context.pid.type))
        .replaceAll('{id}', encodeURIComponent(context.record?.id ?? ''))
        .replaceAll('{itemUrl}', context.itemUrl);
    }
    return links;
  };
}

/**
 * An RFC 8288 `Link` header value from relation -> URL entries, in order:
 * `<https://example.org/records/1>; rel="self"`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8288#section-3 RFC 8288 §3 Link Serialisation in HTTP Headers
 * @example
 * linkHeader({ self: 'https://x/records/?page=2', next: 'https://x/records/?page=3' });
 * // '<https://x/records/?page=2>; rel="self", <https://x/records/?page=3>; rel="next"'
 */
export function linkHeader(links: Readonly<Record<string, string>>): string {
  return Object.entries(links)
    .map(([rel, url]) => `<${url.replaceAll('>', '%3E')}>; rel="${rel.replaceAll('"', '')}"`)
    .join(', ');
}
