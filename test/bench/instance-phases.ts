// Where a test instance's start goes, phase by phase (a profile of startTestInstance's parts):
// wall time and the CPU time of this process (ms).
// `npx tsx test/bench/instance-phases.ts` (ROUNDS=3 by default)
import { performance } from 'node:perf_hooks';
import { createInstance } from '../../src/instance.js';
import { prepareTestTemplates } from '../support/database.js';
import { nextTestActorKeys } from '../support/key-pool.js';
import { testConfig } from '../support/instance.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
await prepareTestTemplates();
for (const db of ['postgres', 'embedded'] as const) {
  for (let round = 0; round < ROUNDS; round++) {
    // wall time and this process's CPU time (on a loaded machine the CPU time is the steadier figure)
    const marks: [string, number, number][] = [];
    let t = performance.now();
    let cpu = process.cpuUsage();
    const mark = (what: string) => {
      const now = performance.now();
      const used = process.cpuUsage(cpu);
      marks.push([what, now - t, (used.user + used.system) / 1000]);
      t = now;
      cpu = process.cpuUsage();
    };
    const { config, cleanup } = await testConfig({ db });
    mark('config + database copy');
    const instance = await createInstance(config, { actorKeys: nextTestActorKeys });
    mark('createInstance');
    await instance.start();
    mark('start');
    await instance.stop();
    mark('stop');
    await cleanup();
    mark('cleanup');
    console.log(`${db.padEnd(9)} ${marks.map(([w, ms, c]) => `${w} ${ms.toFixed(0)} (cpu ${c.toFixed(0)})`).join(' | ')}`);
  }
}
