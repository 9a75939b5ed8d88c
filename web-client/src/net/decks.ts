// Decks over HTTP: the list for the create form, and a room's deck fetched once and cached by its hash.
import type { Deck, DeckListing } from '../state/types';

const memory = new Map<string, Promise<Deck>>();
const STORE_PREFIX = 'verrijk.deck.';

/**
 * The deck with this hash. A deck is content-addressed (its hash never
 * changes meaning), so it is kept in memory and in localStorage and fetched
 * at most once per device.
 */
export function deckByHash(hash: string, fetcher: typeof fetch = fetch, storage: Pick<Storage, 'getItem' | 'setItem'> | null = safeStorage()): Promise<Deck> {
  const hit = memory.get(hash);
  if (hit) return hit;
  const stored = storage?.getItem(STORE_PREFIX + hash);
  if (stored) {
    try {
      const deck = Promise.resolve(JSON.parse(stored) as Deck);
      memory.set(hash, deck);
      return deck;
    } catch {
      // A damaged cache entry is fetched again below.
    }
  }
  const p = fetcher(`/api/decks/${encodeURIComponent(hash)}`).then(async (r) => {
    if (!r.ok) throw new Error(`deck ${hash}: HTTP ${r.status}`);
    const text = await r.text();
    const deck = JSON.parse(text) as Deck;
    try {
      storage?.setItem(STORE_PREFIX + hash, text);
    } catch {
      // A full localStorage only costs a fetch next time.
    }
    return deck;
  });
  memory.set(hash, p);
  p.catch(() => memory.delete(hash));
  return p;
}

export async function deckList(fetcher: typeof fetch = fetch): Promise<DeckListing[]> {
  const r = await fetcher('/api/decks');
  if (!r.ok) throw new Error(`decks: HTTP ${r.status}`);
  return (await r.json()) as DeckListing[];
}

/** For tests: forget what was cached in memory. */
export function clearDeckMemory(): void {
  memory.clear();
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
