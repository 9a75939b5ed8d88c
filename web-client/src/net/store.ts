// Storing a card set on the server (POST /api/decks, SPEC.md §8.2).

/** The server's answer to a stored set. */
export interface StoreResult { hash: string; id: string; version: number; listed: boolean }

export type StoreAnswer =
  | { ok: true; stored: StoreResult }
  /** Refused: the validator's message and the field it names (cards[3].title.nl), or why else. */
  | { ok: false; status: number; error: string; field?: string };

export async function storeDeck(deck: unknown, fetcher: typeof fetch = fetch): Promise<StoreAnswer> {
  const r = await fetcher('/api/decks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deck) });
  const text = await r.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: text.trim() || `HTTP ${r.status}` };
  }
  if (r.status === 201) return { ok: true, stored: body as unknown as StoreResult };
  return { ok: false, status: r.status, error: String(body.error ?? `HTTP ${r.status}`), field: typeof body.field === 'string' ? body.field : undefined };
}
