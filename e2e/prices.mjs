// Price files made up for the tests: hourly CSVs a browser or `harvest` reads as any price file.

/**
 * An hourly CSV (`timestamp,open,high,low,close,volume`) of `n` bars from `t0` (epoch s): a
 * random walk with a slight drift from `start`, the same for the same `seed`.
 */
export function walkCsv(n, t0, seed, start) {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const lines = ['timestamp,open,high,low,close,volume'];
  let c = start;
  for (let i = 0; i < n; i++) {
    const o = c;
    c = o * (1 + (rnd() - 0.49) * 0.02);
    const hi = Math.max(o, c) * (1 + rnd() * 0.004);
    const lo = Math.min(o, c) * (1 - rnd() * 0.004);
    lines.push(`${t0 + 3600 * i},${o.toFixed(4)},${hi.toFixed(4)},${lo.toFixed(4)},${c.toFixed(4)},10`);
  }
  return lines.join('\n') + '\n';
}

/** `{ name, mimeType, buffer }` of a CSV, as Playwright's `setInputFiles` takes a file. */
export const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
