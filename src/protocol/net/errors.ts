/** NUT's ERR words, spelled exactly as on the wire (RFC 9271 plus NUT's extensions). */
export const NUT_ERROR_CODES = [
  'ACCESS-DENIED',
  'UNKNOWN-UPS',
  'VAR-NOT-SUPPORTED',
  'CMD-NOT-SUPPORTED',
  'INVALID-ARGUMENT',
  'INSTCMD-FAILED',
  'SET-FAILED',
  'READONLY',
  'TOO-LONG',
  'FEATURE-NOT-SUPPORTED',
  'FEATURE-NOT-CONFIGURED',
  'ALREADY-SSL-MODE',
  'DRIVER-NOT-CONNECTED',
  'DATA-STALE',
  'ALREADY-LOGGED-IN',
  'INVALID-PASSWORD',
  'ALREADY-SET-PASSWORD',
  'INVALID-USERNAME',
  'ALREADY-SET-USERNAME',
  'USERNAME-REQUIRED',
  'PASSWORD-REQUIRED',
  'UNKNOWN-COMMAND',
  'INVALID-VALUE',
  'UNKNOWN',
  'FAILED',
] as const;

export type NutErrorCode = (typeof NUT_ERROR_CODES)[number];

/** The messages NUT's libupsclient prints for each ERR code (upscli_strerror). */
export const NUT_ERROR_TEXT: Record<string, string> = {
  'VAR-NOT-SUPPORTED': 'Variable not supported by UPS',
  'UNKNOWN-UPS': 'Unknown UPS',
  'ACCESS-DENIED': 'Access denied',
  'PASSWORD-REQUIRED': 'Password required',
  'INVALID-PASSWORD': 'Invalid password',
  'USERNAME-REQUIRED': 'Username required',
  'INVALID-USERNAME': 'Invalid username',
  'ALREADY-LOGGED-IN': 'Already logged in',
  'ALREADY-SET-PASSWORD': 'Already set password',
  'ALREADY-SET-USERNAME': 'Already set username',
  'UNKNOWN-COMMAND': 'Unknown command',
  'INVALID-ARGUMENT': 'Invalid argument',
  'INVALID-VALUE': 'Invalid value',
  'DATA-STALE': 'Data stale',
  'DRIVER-NOT-CONNECTED': 'Driver not connected',
  'CMD-NOT-SUPPORTED': 'Command not supported',
  'SET-FAILED': 'Set command failed',
  'INSTCMD-FAILED': 'Instant command failed',
  'READONLY': 'Variable is read-only',
  'TOO-LONG': 'Value too long',
  'FEATURE-NOT-SUPPORTED': 'Feature not supported by server',
  'FEATURE-NOT-CONFIGURED': 'Feature not configured on server',
  'ALREADY-SSL-MODE': 'Already in SSL mode',
};

export function errLine(code: NutErrorCode): string {
  return `ERR ${code}\n`;
}
