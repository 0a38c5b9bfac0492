/**
 * Pieces shared by upsc, upscmd and upsrw: connecting with NUT's error lines,
 * error texts, the polite LOGOUT at the end, login prompts and tracking waits.
 */
import { NutClient, NutServerError, NameError, splitName } from './client.js';
import type { UpsAddress } from './client.js';
import type { CliIO } from './io.js';
import { NUT_VERSION } from '../common/version.js';
import { createLogger, type LogSink } from '../common/log.js';
import { negotiateTls, toolTlsSettings, TlsRefused } from './tls.js';

export const BAD_UPS_DEFINITION = 'Error: invalid UPS definition.\nRequired format: upsname[@hostname[:port]]\n';
export const BAD_HOST_DEFINITION = 'Error: invalid hostname.\nRequired format: [hostname[:port]]\n';

/** Signals "stop with this exit code" through the program's async code. */
export class Exit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** `ups[@host[:port]]`, printing NUT's lines and exiting 1 when it is not one. */
export function parseUpsOrExit(spec: string | undefined, io: CliIO): UpsAddress {
  if (spec === undefined || spec === '') {
    io.err(BAD_UPS_DEFINITION);
    throw new Exit(1);
  }
  try {
    return splitName(spec);
  } catch (err) {
    if (err instanceof NameError) {
      io.err(`${err.message}\n${BAD_UPS_DEFINITION}`);
      throw new Exit(1);
    }
    throw err;
  }
}

/**
 * libupsclient's text for any failure of a request: NutServerError carries
 * upscli_strerror's text ("Unknown UPS"), TransportError the connection text
 * ("Connection failure: Connection refused", "Server disconnected").
 */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Connects and tries STARTTLS (as NUT's clients do), with the TLS settings
 * of WALNUT_CERTPATH / WALNUT_CERTVERIFY / WALNUT_FORCESSL / WALNUT_CERTHOST
 * / WALNUT_CERTPIN. Warnings (plain-text fallback, unverified TLS) go to
 * stderr only when one of them is set; without any, the tools print what
 * NUT 2.8.0's print. Rejects with the error to print.
 */
export async function connectTool(addr: { host: string; port: number }, io: CliIO): Promise<NutClient> {
  const c = await NutClient.connect(addr.host, addr.port, { timeoutMs: io.timeoutMs, clock: io.clock });
  const settings = toolTlsSettings(io.env);
  const asked = settings.certPath !== undefined || settings.forceSsl || settings.certVerify || settings.pinFile !== undefined;
  const sink: LogSink = { write: (_sev, msg) => (asked ? io.err(`${msg}\n`) : undefined) };
  await negotiateTls(c, addr.host, addr.port, settings, createLogger(sink));
  return c;
}

/** Connects (with TLS as connectTool), or prints `Error: Connection failure: ...` and exits 1. */
export async function connectOrExit(addr: { host: string; port: number }, io: CliIO): Promise<NutClient> {
  try {
    return await connectTool(addr, io);
  } catch (err) {
    io.err(`Error: ${err instanceof TlsRefused ? err.message : errorText(err)}\n`);
    throw new Exit(1);
  }
}

/** LOGOUT (as NUT's clients do at exit), then close; never fails. */
export async function finish(c: NutClient): Promise<void> {
  if (c.isOpen) {
    try {
      await c.logout();
    } catch {
      /* the server may already be gone */
    }
  }
  c.close();
}

/** Runs a program body, turning Exit into its code; any other error is `Error: <text>`, exit 1. */
export async function runProgram(io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Exit) return err.exitCode;
    io.err(`Error: ${errorText(err)}\n`);
    return 1;
  }
}

export function versionLine(program: string): string {
  return `Network UPS Tools ${program} ${NUT_VERSION}\n`;
}

/** What every client's command line may carry besides its own options. */
export interface ClientFlags {
  /** An option error to report (then the usage is printed, exit 0, as NUT). */
  usageError?: string;
  help?: boolean;
  version?: boolean;
}

/**
 * Answers a usage error, -h or -V as NUT's clients do (usage on stdout, exit 0;
 * the version line goes to `versionTo`); undefined when the program carries on.
 */
export function answerFlags(o: ClientFlags, io: CliIO, program: string, usage: string, versionTo: 'out' | 'err'): number | undefined {
  if (o.usageError !== undefined) {
    io.err(`${program}: ${o.usageError}\n`);
    io.out(usage);
    return 0;
  }
  if (o.help) {
    io.out(usage);
    return 0;
  }
  if (o.version) {
    io[versionTo](versionLine(program));
    return 0;
  }
  return undefined;
}

/** upscmd's and upsrw's login and tracking options. */
export interface LoginOptions {
  user?: string;
  pass?: string;
  wait?: boolean;
  /** -t as typed. */
  timeout?: string;
}

/**
 * upscmd/upsrw login: prompts for what is missing (as NUT: `Username (<login>): `
 * on stdout, then `Password: `), sends USERNAME and PASSWORD. Like NUT, the
 * replies to USERNAME/PASSWORD are not fatal: the following SET/INSTCMD
 * reports the problem (e.g. ERR ACCESS-DENIED). An empty password is not sent
 * (NUT's bare `PASSWORD ` is refused by upsd, with the same outcome).
 */
export async function promptCredentials(
  io: CliIO,
  user: string | undefined,
  pass: string | undefined,
  /** upsrw takes end of input as the default user; upscmd stops there. */
  eofIsDefault = false,
): Promise<{ user: string; pass: string }> {
  if (user === undefined) {
    io.out(`Username (${io.userName}): `);
    let line = await io.prompter.readLine();
    if (line === null && eofIsDefault) line = '';
    if (line === null) {
      io.err('Error reading from stdin!\n');
      throw new Exit(1);
    }
    user = line === '' ? io.userName : line;
  }
  if (pass === undefined) {
    io.err('Password: ');
    pass = (await io.prompter.readSecret()) ?? '';
  }
  return { user, pass };
}

export async function sendCredentials(c: NutClient, user: string, pass: string): Promise<void> {
  try {
    await c.username(user);
  } catch (err) {
    if (!(err instanceof NutServerError)) throw err;
  }
  if (pass === '') return;
  try {
    await c.password(pass);
  } catch (err) {
    if (!(err instanceof NutServerError)) throw err;
  }
}

/** Turns tracking on, ignoring a server that refuses (the OK TRACKING reply then tells). */
export async function enableTracking(c: NutClient): Promise<void> {
  try {
    await c.setTracking(true);
  } catch (err) {
    if (!(err instanceof NutServerError)) throw err;
  }
}

/**
 * upscmd/upsrw's request: log in (prompting for what is missing), turn
 * tracking on with -w, send and report (see sendAndReport).
 */
export async function loginAndSend(
  io: CliIO,
  c: NutClient,
  o: LoginOptions,
  timeoutSec: number,
  /** upsrw takes end of input as the default user; upscmd stops there. */
  eofIsDefault: boolean,
  send: () => Promise<string | undefined>,
): Promise<number> {
  const wait = !!o.wait;
  const cred = await promptCredentials(io, o.user, o.pass, eofIsDefault);
  await sendCredentials(c, cred.user, cred.pass);
  if (wait) await enableTracking(c);
  return sendAndReport(io, c, send, wait, timeoutSec);
}

function sleep(io: CliIO, ms: number): Promise<void> {
  return new Promise((r) => io.clock.setTimer(ms, r));
}

/**
 * Sends SET/INSTCMD (through `send`) and reports like NUT's upscmd/upsrw:
 * `OK` on stderr, or `Unexpected response from upsd: <reply>` and exit 1;
 * with `wait`, polls GET TRACKING (timeoutSec times, 1 s apart) and prints
 * the final status (SUCCESS, ERR ...), or the timeout message and exit 1.
 */
export async function sendAndReport(
  io: CliIO,
  c: NutClient,
  send: () => Promise<string | undefined>,
  wait: boolean,
  timeoutSec: number,
): Promise<number> {
  let id: string | undefined;
  try {
    id = await send();
  } catch (err) {
    if (err instanceof NutServerError) {
      io.err(`Unexpected response from upsd: ${err.reply}\n`);
      return 1;
    }
    throw err;
  }
  if (!wait || id === undefined) {
    io.err('OK\n');
    return 0;
  }
  // NUT polls `timeoutSec` times, pausing 1 s after each PENDING (-t 0: no poll at all)
  for (let i = 0; i < timeoutSec; i++) {
    let status: string;
    try {
      status = await c.getTracking(id);
    } catch (err) {
      if (err instanceof NutServerError) {
        io.err(`Can't receive status tracking information: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (status !== 'PENDING') {
      io.err(`${status}\n`);
      return 0;
    }
    await sleep(io, 1000);
  }
  io.err("Can't receive status tracking information: timeout\n");
  return 1;
}

/** Parses `-t <seconds>` like NUT (an unsigned integer). */
export function parseTimeout(v: string | undefined, io: CliIO): number {
  if (v === undefined) return 10;
  if (!/^\s*\+?[0-9]+$/.test(v)) {
    io.err(`Could not convert the provided value for timeout ('-t' option) to unsigned int: Invalid argument\n`);
    throw new Exit(1);
  }
  return Number.parseInt(v, 10);
}
