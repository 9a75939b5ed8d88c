// Wire codec: one MessagePack map per client frame, one or more maps per server frame (SPEC.md §1).
import { encode, decodeMulti } from '@msgpack/msgpack';
import type { ClientMessage, ServerMessage } from '../state/types';

/** Encodes one client message as the bytes of one binary frame. */
export function encodeMessage(msg: ClientMessage): Uint8Array<ArrayBuffer> {
  // ignoreUndefined: an absent field must be absent on the wire, never nil.
  // The encoder always writes into a plain ArrayBuffer, never a shared one.
  return encode(msg, { ignoreUndefined: true }) as Uint8Array<ArrayBuffer>;
}

/**
 * Decodes a server frame into its maps, in order. Throws when the bytes are
 * not a sequence of maps with a string `t`: a server that sends that is
 * broken, and the caller reports it rather than guessing. This is the one
 * place where wire data becomes a ServerMessage: the fields are the
 * server's (its packers fix them); a `t` this client does not know is
 * passed on and ignored by the receiver.
 */
export function decodeFrame(bytes: ArrayBuffer | Uint8Array): ServerMessage[] {
  const out: ServerMessage[] = [];
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  for (const item of decodeMulti(view, { useBigInt64: false })) {
    if (item === null || typeof item !== 'object' || Array.isArray(item) ||
        typeof (item as { t?: unknown }).t !== 'string') {
      throw new Error('server frame holds something other than a message map');
    }
    out.push(item as ServerMessage);
  }
  return out;
}
