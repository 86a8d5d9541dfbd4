/**
 * A hand-written SVG line chart: axes with "nice" ticks, labelled, one polyline per series and dashed
 * horizontal reference lines. Enough for docs/benchmarks-throughput.svg without a chart library; pure.
 */

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface ReferenceLine {
  readonly y: number;
  readonly label: string;
  readonly color: string;
}

export interface LineChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly references?: readonly ReferenceLine[];
  readonly width?: number;
  readonly height?: number;
  /** Tick label text of a y value (default: thousands as "k"). */
  readonly formatY?: (value: number) => string;
}

/** Tick step of 1, 2 or 5 × 10^n giving about `count` ticks over [0, max]. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Ticks 0, step, 2·step … up to the first one ≥ max. */
export function ticks(max: number, count = 5): number[] {
  const step = niceStep(max, count);
  const out: number[] = [];
  for (let value = 0; ; value += step) {
    out.push(Number(value.toPrecision(12)));
    if (value >= max || out.length > 50) break;
  }
  return out;
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

function defaultFormatY(value: number): string {
  if (value >= 1_000_000) return `${Number((value / 1_000_000).toPrecision(3))}M`;
  if (value >= 1_000) return `${Number((value / 1_000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

function fmtX(value: number): string {
  return String(Number(value.toPrecision(6)));
}

export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 800;
  const height = options.height ?? 420;
  const margin = { left: 78, right: 24, top: options.subtitle ? 62 : 46, bottom: 58 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const formatY = options.formatY ?? defaultFormatY;

  const xs = options.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [
    ...options.series.flatMap((s) => s.points.map((p) => p[1])),
    ...(options.references ?? []).map((r) => r.y),
  ];
  const xTicks = ticks(Math.max(1e-9, ...xs.filter(Number.isFinite)), 8);
  const yTicks = ticks(Math.max(1e-9, ...ys.filter(Number.isFinite)) * 1.05, 5);
  const xMax = xTicks[xTicks.length - 1]!;
  const yMax = yTicks[yTicks.length - 1]!;
  const px = (x: number): number => margin.left + (x / xMax) * plotW;
  const py = (y: number): number => margin.top + plotH - (y / yMax) * plotH;
  const f = (n: number): string => n.toFixed(1);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ` +
      `${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  );
  if (options.subtitle)
    out.push(`<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">${escapeXml(options.subtitle)}</text>`);

  // Grid and tick labels.
  for (const y of yTicks) {
    out.push(
      `<line x1="${f(margin.left)}" y1="${f(py(y))}" x2="${f(margin.left + plotW)}" y2="${f(py(y))}" stroke="#e4e4e4"/>`,
    );
    out.push(`<text x="${f(margin.left - 8)}" y="${f(py(y) + 4)}" text-anchor="end">${escapeXml(formatY(y))}</text>`);
  }
  for (const x of xTicks) {
    out.push(
      `<line x1="${f(px(x))}" y1="${f(margin.top + plotH)}" x2="${f(px(x))}" y2="${f(margin.top + plotH + 5)}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${f(px(x))}" y="${f(margin.top + plotH + 19)}" text-anchor="middle">${escapeXml(fmtX(x))}</text>`,
    );
  }
  // Axes.
  out.push(
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}" stroke="#333"/>`,
  );
  out.push(
    `<line x1="${margin.left}" y1="${margin.top + plotH}" x2="${margin.left + plotW}" y2="${margin.top + plotH}" stroke="#333"/>`,
  );
  out.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
  );
  out.push(
    `<text x="18" y="${margin.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ` +
      `${margin.top + plotH / 2})">${escapeXml(options.yLabel)}</text>`,
  );

  for (const reference of options.references ?? []) {
    const y = f(py(reference.y));
    out.push(
      `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="${reference.color}" ` +
        `stroke-dasharray="6 4" stroke-width="1.5"/>`,
    );
    out.push(
      `<text x="${margin.left + plotW - 4}" y="${f(py(reference.y) - 5)}" text-anchor="end" ` +
        `fill="${reference.color}">${escapeXml(reference.label)}</text>`,
    );
  }
  for (const series of options.series) {
    if (series.points.length === 0) continue;
    const points = series.points.map(([x, y]) => `${f(px(x))},${f(py(Math.max(0, y)))}`).join(' ');
    out.push(
      `<polyline fill="none" stroke="${series.color}" stroke-width="2" stroke-linejoin="round" points="${points}"/>`,
    );
  }
  // Legend, top left inside the plot.
  options.series.forEach((series, i) => {
    const y = margin.top + 14 + i * 18;
    out.push(
      `<line x1="${margin.left + 10}" y1="${y - 4}" x2="${margin.left + 34}" y2="${y - 4}" stroke="${series.color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${margin.left + 40}" y="${y}">${escapeXml(series.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
