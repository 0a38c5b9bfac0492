/** Base of Walnut's own errors: every one carries a machine-readable code. */
export class WalnutError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A problem in a configuration file, with its place and, when known, a fix. */
export class ConfigError extends WalnutError {
  readonly file: string;
  readonly line: number;
  readonly suggestion: string | undefined;
  constructor(file: string, line: number, message: string, suggestion?: string) {
    super('CONFIG', `${file}:${line}: ${message}${suggestion ? ` (${suggestion})` : ''}`);
    this.file = file;
    this.line = line;
    this.suggestion = suggestion;
  }
}

/** A peer (client, driver, server) sent something that breaks the protocol. */
export class ProtocolError extends WalnutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options);
  }
}

export type TransportFailure = 'disconnected' | 'timeout' | 'io';

/** The link to a device or a peer failed. */
export class TransportError extends WalnutError {
  readonly reason: TransportFailure;
  constructor(reason: TransportFailure, message: string, options?: { cause?: unknown }) {
    super('TRANSPORT', message, options);
    this.reason = reason;
  }
}
