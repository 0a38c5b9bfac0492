/**
 * USB-serial bridge framings of the Q1 requests that the reference
 * documents (shared/serial/megatec-q1.txt), as pure codecs:
 *
 * - String-descriptor bridges (krauler/fabula style, the "MEC0003" chips):
 *   no serial bytes at all; the request is chosen by a USB string
 *   descriptor index (Q1 → 0x03, F → 0x0d, I → 0x0c, Q → 0x07, T → 0x04,
 *   C/CT → 0x0b) read with GET_DESCRIPTOR(string), langid 0x0409.
 * - Armac-style HID bridges: replies come as 6-byte reports, a header byte
 *   whose low 3 bits count the valid data bytes that follow (at most 5),
 *   then the data. Bytes after the CR are stale and dropped.
 *
 * The USB I/O itself (libusb control/interrupt transfers) is not wired in:
 * Walnut's nutdrv_qx drives serial ports (including USB-serial adapters
 * that show up as /dev/ttyUSB*).
 */

/** String descriptor index by request (without CR). */
export const STRING_DESCRIPTOR_INDEX: ReadonlyMap<string, number> = new Map([
  ['Q1', 0x03],
  ['T', 0x04],
  ['Q', 0x07],
  ['C', 0x0b],
  ['CT', 0x0b],
  ['I', 0x0c],
  ['F', 0x0d],
]);

/** The 8 setup bytes of GET_DESCRIPTOR(string idx), langid 0x0409, wLength 0x6600 as recorded. */
export function stringDescriptorSetup(request: string): Uint8Array | undefined {
  const idx = STRING_DESCRIPTOR_INDEX.get(request.replace(/\r$/, ''));
  if (idx === undefined) return undefined;
  return Uint8Array.of(0x80, 0x06, idx, 0x03, 0x09, 0x04, 0x00, 0x66);
}

export interface ArmacResult {
  /** Reply up to and including CR, or undefined when no CR came yet. */
  reply: string | undefined;
  /** Valid bytes found after the CR (dropped). */
  trailing: number;
}

/** Reassembles a reply from Armac-style 6-byte reports (header + 5 data bytes). */
export function armacReassemble(reports: readonly Uint8Array[]): ArmacResult {
  let out = '';
  for (const r of reports) {
    if (r.length < 1) continue;
    const n = Math.min(r[0]! & 0x07, r.length - 1, 5);
    const data = Buffer.from(r.subarray(1, 1 + n)).toString('latin1');
    const cr = data.indexOf('\r');
    if (cr >= 0) return { reply: out + data.slice(0, cr + 1), trailing: n - (cr + 1) };
    out += data;
  }
  return { reply: undefined, trailing: 0 };
}
