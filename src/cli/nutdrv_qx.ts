/** `nutdrv_qx`: Megatec Q1 family serial UPS driver (NUT's drivers/nutdrv_qx). */
import { nutdrvQx } from '../drivers/nutdrv_qx/index.js';
import { runDriverProgram } from './driver-main.js';

export async function main(argv: string[]): Promise<number> {
  return runDriverProgram(nutdrvQx, argv);
}
