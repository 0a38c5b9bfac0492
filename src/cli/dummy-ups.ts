/** `dummy-ups`: the simulation / repeater driver (NUT's drivers/dummy-ups). */
import { dummyUps } from '../drivers/dummy/index.js';
import { runDriverProgram } from './driver-main.js';

export async function main(argv: string[]): Promise<number> {
  return runDriverProgram(dummyUps, argv);
}
