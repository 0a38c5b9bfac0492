/** Reply lines, pre-built where they are constant. Every line ends with LF. */
import { NUT_ERROR_CODES, type NutErrorCode } from '../protocol/net/errors.js';
import { encodeValue } from '../common/lexer.js';

export const ERR = Object.fromEntries(NUT_ERROR_CODES.map((c) => [c, `ERR ${c}\n`])) as Record<NutErrorCode, string>;

export const OK = 'OK\n';

/** NUT's pconf_encode, with a fast path for the usual value with nothing to escape. */
export function enc(v: string): string {
  if (v.indexOf('"') < 0 && v.indexOf('\\') < 0 && v.indexOf('#') < 0) return v;
  return encodeValue(v);
}

/** True for `ups.status` in any letter case (the FSD prefix applies to it). */
export function isStatusName(name: string): boolean {
  return name.length === 10 && (name === 'ups.status' || name.toLowerCase() === 'ups.status');
}
