// Joining a room from another device: the link to open and its QR code.
import { useEffect, useState } from 'preact/hooks';
import { joinBase, joinHostFrom, joinLinkFrom, serverInfo } from '../../net/server';

/**
 * The link (and the host to say aloud) that people open to join `room`:
 * this page's address at first, then what GET /api/server says phones can
 * reach (a LAN address instead of localhost, or --public-url).
 */
export function useJoin(room: string): { link: string; host: string } {
  const [base, setBase] = useState(() => joinBase(location, null));
  useEffect(() => {
    let live = true;
    serverInfo().then((info) => live && setBase(joinBase(location, info)));
    return () => {
      live = false;
    };
  }, []);
  return { link: joinLinkFrom(base, room), host: joinHostFrom(base) };
}

/** A QR code as SVG (qrcode is loaded only on pages that show one); size 0 leaves its size to the style sheet. */
export function QrCode({ text, label, size = 240 }: { text: string; label: string; size?: number }) {
  const [svg, setSvg] = useState('');
  useEffect(() => {
    let live = true;
    import('qrcode').then((q) => q.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })).then((s) => live && setSvg(s));
    return () => {
      live = false;
    };
  }, [text]);
  return <div class="qr" role="img" aria-label={label} style={size ? { width: `${size}px`, height: `${size}px` } : undefined} dangerouslySetInnerHTML={{ __html: svg }} />;
}
