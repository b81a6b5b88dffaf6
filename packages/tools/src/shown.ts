/**
 * Bytes as people are shown them, the same on every run: the two things that
 * vary (the `Date` header and the port a server got) fixed, so that two
 * servers' answers compare and a note's example stays true.
 */
import { FIXED_TS } from '@hook-observatory/launcher';

/** The port shown: the default one (core's protocol.ts, DEFAULT_PORT), whatever port the server got. */
export const SHOWN_PORT = 23518;
const SHOWN_DATE = new Date(FIXED_TS).toUTCString();

/** CRLF as a line break, the date as the test clock's, `:port` as SHOWN_PORT. */
export function display(bytes: Buffer, port: number): string {
  return bytes
    .toString('utf8')
    .replace(/\r\n/g, '\n')
    .replace(/^Date: .*$/gm, `Date: ${SHOWN_DATE}`)
    .replaceAll(`:${port}`, `:${SHOWN_PORT}`);
}
