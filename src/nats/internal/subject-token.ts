/**
 * Encodes any string as one NATS subject token: letters, digits, `-` and `_` stay; every other
 * UTF-8 byte (`.`, `*`, `>`, `$`, spaces, control characters...) becomes `~XX`, and `~` itself
 * `~7E`. The result never holds a separator or a wildcard, and distinct inputs give distinct tokens.
 *
 * @example
 * ```ts
 * import { encodeSubjectToken } from 'rxbroker/nats';
 * encodeSubjectToken('orders.*'); // 'orders~2E~2A'
 * ```
 */
export function encodeSubjectToken(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out.length === 0 ? '~' : out;
}

/**
 * The inverse of {@link encodeSubjectToken}.
 *
 * @example
 * ```ts
 * import { decodeSubjectToken } from 'rxbroker/nats';
 * decodeSubjectToken('orders~2E~2A'); // 'orders.*'
 * ```
 */
export function decodeSubjectToken(token: string): string {
  if (token === '~') return '';
  if (!token.includes('~')) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '~') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
