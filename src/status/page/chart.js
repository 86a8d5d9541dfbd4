// The 15-minute chart: committed records per second (left axis) and total lag in records (right axis).
// Resolved by the page's import map to /vendor/uPlot.esm.js, served from node_modules/uplot.
import uPlot from 'uplot';

let plot;

function width(container) {
  return Math.max(280, container.clientWidth);
}

export function drawChart(container, points) {
  const data = [points.map((p) => p.t), points.map((p) => p.rate), points.map((p) => p.lag)];
  if (plot === undefined) {
    plot = new uPlot(
      {
        width: width(container),
        height: 260,
        series: [
          {},
          { label: 'records/s', stroke: '#1f4f99', width: 2 },
          { label: 'lag (records)', stroke: '#a61b1b', width: 2, dash: [6, 4], scale: 'lag' },
        ],
        axes: [{}, { label: 'records/s' }, { side: 1, scale: 'lag', label: 'lag', grid: { show: false } }],
        scales: { x: { time: true } },
      },
      data,
      container,
    );
    new ResizeObserver(() => plot.setSize({ width: width(container), height: 260 })).observe(container);
  } else {
    plot.setData(data);
  }
}
