/** `apcsmart`: APC Smart protocol driver (NUT's drivers/apcsmart). */
import { apcsmart } from '../drivers/apcsmart/index.js';
import { runDriverProgram } from './driver-main.js';

export async function main(argv: string[]): Promise<number> {
  return runDriverProgram(apcsmart, argv);
}
