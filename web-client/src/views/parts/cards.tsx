// Cards as a person reads them: the deck of a room, texts and categories from it, the card face.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLang } from '../../i18n';
import { deckByHash } from '../../net/decks';
import type { Deck, Lang } from '../../state/types';

export function useDeck(hash: string | undefined): Deck | null {
  const [deck, setDeck] = useState<Deck | null>(null);
  useEffect(() => {
    if (!hash) return;
    let live = true;
    deckByHash(hash).then((d) => live && setDeck(d), () => live && setDeck(null));
    return () => {
      live = false;
    };
  }, [hash]);
  return deck;
}

export function deckText(x: { nl: string; en: string } | undefined, lang: Lang): string {
  return x ? x[lang] || x.nl || x.en : '';
}

export function cardOf(deck: Deck | null, id: string) {
  return deck?.cards.find((c) => c.id === id);
}

export function cardTitle(deck: Deck | null, id: string, lang: Lang): string {
  const c = cardOf(deck, id);
  return c ? deckText(c.title, lang) : id;
}

export function categoryOf(deck: Deck | null, id: string | undefined) {
  return deck?.categories.find((c) => c.id === id);
}

/** A card as a person reads it: its topic in the topic's colour, its title and its question. */
export function CardFace({ deck, card, size = 'normal', children }: { deck: Deck | null; card: string; size?: 'small' | 'normal' | 'big'; children?: ComponentChildren }) {
  const { lang, t } = useLang();
  const c = cardOf(deck, card);
  const cat = categoryOf(deck, c?.category);
  // While the deck loads a placeholder stands in: an id means nothing to a person. A card the loaded deck lacks still shows its id.
  const title = c ? deckText(c.title, lang) : deck ? card : t('deck.loading');
  return (
    <article class={`card card-${size}`} aria-label={title} aria-busy={deck ? undefined : 'true'}>
      <div class="card-cat" style={{ backgroundColor: cat?.color ?? '#37474f' }}>{cat ? deckText(cat.title, lang) : ''}</div>
      <div class="card-body">
        <h3 class="card-title">{title}</h3>
        {size !== 'small' && c && <p class="card-prompt">{deckText(c.prompt, lang)}</p>}
        {children}
      </div>
    </article>
  );
}
