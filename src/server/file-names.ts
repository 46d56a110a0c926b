import path from 'node:path';
import { create as contentDisposition } from 'content-disposition';

// C0 and C1 controls (NUL, CR, LF, …) and the bidi controls that make `exe.csv` read as `vsc.exe`.
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MAX_NAME = 200;

/**
 * An uploaded file's name as it is stored and shown: its last path segment, in NFC, without control or bidi
 * characters (a NUL is refused by PostgreSQL, an override disguises the name), at most 200 characters with
 * its extension kept.
 */
export function cleanFileName(name: string | undefined, fallback = 'upload.csv'): string {
  const base = path.basename((name ?? '').replaceAll('\\', '/'));
  const cleaned = base.replace(LONE_SURROGATE, '\ufffd').normalize('NFC').replace(UNSAFE, '').trim();
  if (!cleaned || cleaned === '.' || cleaned === '..') return fallback;
  const chars = [...cleaned];
  if (chars.length <= MAX_NAME) return cleaned;
  const ext = [...path.extname(cleaned)].slice(0, 20);
  return chars.slice(0, MAX_NAME - ext.length).join('') + ext.join('');
}

/**
 * `Content-Disposition: attachment` for a download named `stem` + `suffix` (`-errors.csv`), per RFC 6266: an
 * ASCII `filename` (other characters as `?`) for old clients and `filename*=UTF-8''…` (RFC 5987) with the
 * real name. The stem is cleaned and shortened so that the whole name stays within 200 characters.
 */
export function attachment(stem: string, suffix: string): string {
  const room = MAX_NAME - [...suffix].length;
  const cleaned = [...cleanFileName(stem, 'download')].slice(0, room).join('');
  return contentDisposition(cleaned + suffix);
}
