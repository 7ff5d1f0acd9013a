import { describe, expect, it } from 'vitest';
import { createProgressReader, progressFraction } from '../../../src/transcoding/index.js';

const block = (outTimeUs: string, progress: 'continue' | 'end') =>
  `frame=75\nfps=0.00\nbitrate= 240.4kbits/s\ntotal_size=90727\nout_time_us=${outTimeUs}\nout_time_ms=${outTimeUs}\nout_time=00:00:03.018594\nspeed=  11x\nprogress=${progress}\n`;

describe("ffmpeg's -progress reader", () => {
  it('reports the output time of each block, in seconds, whatever the chunking', () => {
    const seen: [number, boolean][] = [];
    const read = createProgressReader((s, ended) => seen.push([s, ended]));
    const text = block('0', 'continue') + block('1500000', 'continue') + block('3018594', 'end');
    // byte by byte: lines split across chunks are joined
    for (const ch of text) read(Buffer.from(ch));
    expect(seen).toEqual([[0, false], [1.5, false], [3.018594, true]]);
  });

  it('skips blocks without a time (N/A before the first frame) and lines that are not key=value', () => {
    const seen: number[] = [];
    const read = createProgressReader((s) => seen.push(s));
    read('out_time_us=N/A\nout_time_ms=N/A\nprogress=continue\ngarbage\n=x\nout_time_us=-5\nprogress=continue\nout_time_us=2000000\nprogress=continue\n');
    expect(seen).toEqual([2]);
  });

  it('maps the output time to a share of the input duration, clamped', () => {
    expect(progressFraction(1, 4)).toBe(0.25);
    expect(progressFraction(5, 4)).toBe(1);
    expect(progressFraction(-1, 4)).toBe(0);
    expect(progressFraction(1, 0)).toBe(0);
    expect(progressFraction(Number.NaN, 4)).toBe(0);
    expect(progressFraction(3.9, 4, true)).toBe(1);
  });
});
