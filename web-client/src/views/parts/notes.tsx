// Notes on a card: the list and the form.
import { useState } from 'preact/hooks';
import { useT } from '../../i18n';
import type { Note, View } from '../../state/types';
import { memberName } from './people';

export function NotesList({ notes, view, onHide }: { notes: Note[]; view: View; onHide?: (note: number) => void }) {
  const t = useT();
  if (notes.length === 0) return <p class="muted">{t('notes.none')}</p>;
  return (
    <ul class="notes">
      {notes.map((n) => (
        <li class="note">
          {/* A hidden note names nobody: its author is no more shown than its text. */}
          {n.text !== undefined && n.player !== undefined ? (
            <><span class="note-who">{memberName(view, n.player)}</span><span class="note-text">{n.text}</span></>
          ) : <span class="muted">{t('notes.hidden')}</span>}
          {onHide && n.text !== undefined && (
            <button type="button" class="link small" onClick={() => onHide(n.note)} aria-label={`${t('notes.hide')}: ${n.text}`}>{t('notes.hide')}</button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Limit of SPEC.md §3 for a note, in bytes of UTF-8. */
export const NOTE_MAX_BYTES = 500;

export function NoteForm({ onSend }: { onSend: (text: string) => Promise<boolean> }) {
  const t = useT();
  const [text, setText] = useState('');
  const tooLong = new TextEncoder().encode(text).length > NOTE_MAX_BYTES;
  return (
    <form class="note-form" onSubmit={async (e) => {
      e.preventDefault();
      if (!text.trim() || tooLong) return;
      if (await onSend(text.trim())) setText('');
    }}>
      <label for="note-text">{t('notes.add')}</label>
      <textarea id="note-text" rows={2} value={text} placeholder={t('notes.placeholder')} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" disabled={!text.trim() || tooLong}>{t('notes.send')}</button>
    </form>
  );
}
