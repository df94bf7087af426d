// The matching rules of docs/decisions/010-negotiation-policy.md: which Accept range speaks for an
// offered media type, with what weight, and which offer wins.
import type { MediaRange } from './media-type.js';

// Specificity is one number: 100 per level of the type (`*/*` 0, `type/*` 1, `type/subtype` 2), plus a
// parameter grade within the level: 0 when the range names a parameter the offer does not declare,
// 1 when it names none, 2 + n when it names n parameters the offer declares with the same values.
const LEVEL = 100;
const MAX_MATCHED_PARAMS = 97;

/**
 * How specifically `range` covers `offer`, or -1 when it does not cover it. A parameter the offer
 * declares must have the same value; one it does not declare is no obstacle but ranks the range below a
 * range without it. `charset` is compared only when both sides name one, and never adds specificity.
 */
export function specificity(range: MediaRange, offer: MediaRange): number {
  let level: number;
  if (range.type === '*') level = 0;
  else if (range.type !== offer.type) return -1;
  else if (range.subtype === '*') level = 1;
  else if (range.subtype !== offer.subtype) return -1;
  else level = 2;

  if (range.charset !== undefined && offer.charset !== undefined && range.charset !== offer.charset) return -1;

  let matched = 0;
  let undeclared = false;
  for (const [name, value] of range.params) {
    const declared = offer.params.get(name);
    if (declared === undefined) undeclared = true;
    else if (declared !== value) return -1;
    else matched++;
  }
  const grade = undeclared ? 0 : range.params.size === 0 ? 1 : 2 + Math.min(matched, MAX_MATCHED_PARAMS);
  return level * LEVEL + grade;
}

/** The weight the Accept ranges give one offer, and the specificity of the range that gave it. */
export interface Quality {
  q: number;
  /** -1 when no range covers the offer. */
  specificity: number;
}

/**
 * The quality of `offer` under `ranges`: the weight of the most specific range that covers it
 * (RFC 9110 §12.5.1: "media ranges can be overridden by more specific media ranges"). Between equally
 * specific ranges the higher weight counts.
 */
export function qualityOf(offer: MediaRange, ranges: readonly MediaRange[]): Quality {
  let q = 0;
  let best = -1;
  for (const range of ranges) {
    const s = specificity(range, offer);
    if (s > best || (s === best && s >= 0 && range.q > q)) {
      best = s;
      q = range.q;
    }
  }
  return { q: best < 0 ? 0 : q, specificity: best };
}

/**
 * The index of the offer to send, or -1 when every offer has weight 0. `offers` is in server preference
 * order (the default first). Highest weight wins; on equal weight the offer the client named more
 * specifically; then server order. The client's order in the header never decides.
 */
export function preferredOffer(offers: readonly MediaRange[], ranges: readonly MediaRange[]): number {
  let chosen = -1;
  let chosenQ = 0;
  let chosenSpecificity = -1;
  for (let index = 0; index < offers.length; index++) {
    const { q, specificity: s } = qualityOf(offers[index]!, ranges);
    if (q > chosenQ || (q === chosenQ && q > 0 && s > chosenSpecificity)) {
      chosen = index;
      chosenQ = q;
      chosenSpecificity = s;
    }
  }
  return chosen;
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** True for an HTML media type (`text/html`, `application/xhtml+xml`). */
export function isHtml(offer: MediaRange): boolean {
  return HTML_TYPES.has(`${offer.type}/${offer.subtype}`);
}

/**
 * True for a browser's navigation Accept: it names `text/html` and ends with a `*\/*` catch-all, both
 * with weight > 0 (`text/html,application/xhtml+xml,application/xml;q=0.9,*\/*;q=0.8`). Its other
 * entries (`application/xml`, `image/avif`, ...) describe what a browser can render, not what the user
 * asked this API for.
 */
export function isBrowserAccept(ranges: readonly MediaRange[]): boolean {
  let html = false;
  let any = false;
  for (const range of ranges) {
    if (range.q <= 0) continue;
    if (range.type === 'text' && range.subtype === 'html') html = true;
    else if (range.type === '*') any = true;
  }
  return html && any;
}
