// The round's options as `create` and `start` send them (SPEC.md §3): only what filters, and only what the deck offers.
import type { Translate } from '../../i18n';
import type { CardKind, Deck, Lang, Opts } from '../../state/types';
import { deckText } from './cards';

export const CARD_KINDS: CardKind[] = ['opener', 'topic', 'story', 'closer'];

/**
 * Opts to send for this deck: empty filters left out (a format 1 deck
 * refuses `kinds` even when empty), and what the deck does not offer
 * dropped (the format 2 options `kinds`, `audience`, `bookends` for a
 * format 1 deck, an audience or category it does not have), so settings
 * carried over from another deck ("dezelfde instellingen") are never
 * refused. `deck` null (not loaded yet): only the empty filters go.
 *
 * `start` changes only the options it names (SPEC.md §3 merges them), so
 * a filter the room has (`current`) and the person emptied is sent as "no
 * filter": every category of the deck (an empty list would be a round of
 * no cards), no kinds, audience "".
 */
export function fitRoundOpts(opts: Opts, deck: Deck | null, current?: Opts): Opts {
  const out: Opts = { ...opts };
  const v2 = deck ? deck.format === 2 : true;
  if (deck && out.categories) out.categories = out.categories.filter((c) => deck.categories.some((x) => x.id === c));
  if (!out.categories || out.categories.length === 0) {
    delete out.categories;
    if (deck && current?.categories?.length) out.categories = deck.categories.map((c) => c.id);
  }
  const kinds = v2 ? (out.kinds ?? []).filter((k) => CARD_KINDS.includes(k)) : [];
  if (kinds.length > 0) out.kinds = kinds;
  else if (v2 && current?.kinds?.length) out.kinds = [];
  else delete out.kinds;
  if (!v2 || !out.audience || (deck && !deck.audiences?.some((a) => a.id === out.audience))) {
    delete out.audience;
    if (current?.audience) out.audience = '';
  }
  if (!v2 || !out.bookends) {
    delete out.bookends;
    if (current?.bookends) out.bookends = false;
  }
  return out;
}

/** Which cards the round takes, in a few words: "alle soorten, voor elk publiek". */
export function cardChoiceText(t: Translate, lang: Lang, opts: Opts, deck: Deck): string {
  const kinds = opts.kinds ?? [];
  const audience = deck.audiences?.find((a) => a.id === opts.audience);
  const parts = [
    kinds.length === 0 ? t('opts.kinds.any') : kinds.map((k) => t(`card.kind.${k}` as 'card.kind.topic').toLowerCase()).join(', '),
    audience ? deckText(audience.title, lang).toLowerCase() : t('opts.audience.any'),
  ];
  if (opts.bookends) parts.push(t('opts.bookends.short'));
  return parts.join(', ');
}
