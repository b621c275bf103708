// Hand-written SVG charts: a line chart (training curves) and a bar chart (histograms, WER per
// speaker). Enough axes and labels to read the numbers; the tables beside them hold the exact ones.

const SVG_NS = "http://www.w3.org/2000/svg";
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];

function svg(tag, attrs, children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value; else node.setAttribute(key, value);
  }
  for (const child of [].concat(children || [])) if (child) node.appendChild(child);
  return node;
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(value)));
  return [1, 2, 2.5, 5, 10].map(m => m * exp).find(m => m >= value);
}

function frame(width, height, pad, yMax, yLabel, title) {
  const root = svg("svg", {width: width, height: height, viewBox: `0 0 ${width} ${height}`, class: "chart"});
  const plotH = height - pad.top - pad.bottom;
  for (let k = 0; k <= 4; k++) {
    const y = pad.top + plotH - plotH * k / 4;
    root.appendChild(svg("line", {x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: "gridline"}));
    root.appendChild(svg("text", {x: pad.left - 4, y: y + 4, "text-anchor": "end", text: fmt(yMax * k / 4, 1)}));
  }
  root.appendChild(svg("text", {x: 12, y: pad.top + plotH / 2, transform: `rotate(-90 12 ${pad.top + plotH / 2})`,
                                "text-anchor": "middle", text: yLabel}));
  root.appendChild(svg("text", {x: width / 2, y: 14, "text-anchor": "middle", class: "title", text: title}));
  return root;
}

function lineChart(series, opts) {
  // series: [{label, points: [[x, y], ...]}]; opts: {title, xLabel, yLabel, width, height}
  const width = opts.width || 420, height = opts.height || 240;
  const pad = {left: 52, right: 12, top: 24, bottom: 40};
  const pts = series.flatMap(s => s.points).filter(p => p[1] !== null && p[1] !== undefined);
  const xMax = niceMax(Math.max(1, ...pts.map(p => p[0])));
  const yMax = niceMax(Math.max(0, ...pts.map(p => p[1])));
  const root = frame(width, height, pad, yMax, opts.yLabel, opts.title);
  const sx = x => pad.left + (width - pad.left - pad.right) * x / xMax;
  const sy = y => height - pad.bottom - (height - pad.top - pad.bottom) * y / yMax;
  root.appendChild(svg("text", {x: (pad.left + width - pad.right) / 2, y: height - 6, "text-anchor": "middle",
                                text: opts.xLabel}));
  for (let k = 0; k <= 4; k++) {
    root.appendChild(svg("text", {x: sx(xMax * k / 4), y: height - pad.bottom + 14, "text-anchor": "middle",
                                  text: String(Math.round(xMax * k / 4))}));
  }
  series.forEach((s, k) => {
    const good = s.points.filter(p => p[1] !== null && p[1] !== undefined);
    const colour = COLOURS[k % COLOURS.length];
    if (good.length > 1) {
      root.appendChild(svg("polyline", {points: good.map(p => `${sx(p[0])},${sy(p[1])}`).join(" "),
                                        fill: "none", stroke: colour, "stroke-width": 2}));
    }
    good.forEach(p => root.appendChild(svg("circle", {cx: sx(p[0]), cy: sy(p[1]), r: 3, fill: colour},
                                          svg("title", {text: `${s.label}: step ${p[0]}, ${fmt(p[1], 3)}`}))));
    root.appendChild(svg("text", {x: width - pad.right - 4, y: pad.top + 14 + 14 * k, "text-anchor": "end",
                                  fill: colour, text: s.label}));
  });
  return root;
}

function barChart(labels, groups, opts) {
  // groups: [{label, values: [...]}] parallel to labels; grouped bars side by side.
  const width = opts.width || Math.max(320, Math.min(1100, 60 + labels.length * (8 + 10 * groups.length)));
  const height = opts.height || 240;
  const pad = {left: opts.rotate ? 90 : 52, right: 12, top: 24, bottom: opts.rotate ? 90 : 40};  // room for slanted labels
  const yMax = niceMax(Math.max(0, ...groups.flatMap(g => g.values.filter(v => v !== null))));
  const root = frame(width, height, pad, yMax, opts.yLabel, opts.title);
  const slot = (width - pad.left - pad.right) / Math.max(1, labels.length);
  const barW = Math.max(1, (slot - 2) / groups.length);
  const plotH = height - pad.top - pad.bottom;
  const every = Math.ceil(labels.length / 30);  // keep the axis readable on long label lists
  labels.forEach((label, i) => {
    groups.forEach((g, k) => {
      const v = g.values[i];
      if (v === null || v === undefined) return;
      const h = plotH * v / yMax;
      root.appendChild(svg("rect", {x: pad.left + i * slot + 1 + k * barW, y: pad.top + plotH - h, width: barW,
                                    height: h, fill: COLOURS[k % COLOURS.length], class: "bar"},
                           svg("title", {text: `${g.label} ${label}: ${fmt(v, opts.digits === undefined ? 1 : opts.digits)}`})));
    });
    if (i % every === 0) {
      const x = pad.left + (i + 0.5) * slot, y = height - pad.bottom + 12;
      root.appendChild(svg("text", opts.rotate
        ? {x: x, y: y, "text-anchor": "end", transform: `rotate(-45 ${x} ${y})`, text: label}
        : {x: x, y: y, "text-anchor": "middle", text: label}));
    }
  });
  if (groups.length > 1) {
    groups.forEach((g, k) => root.appendChild(svg("text", {x: width - pad.right - 4, y: pad.top + 14 + 14 * k,
      "text-anchor": "end", fill: COLOURS[k % COLOURS.length], text: g.label})));
  }
  if (opts.xLabel) {
    root.appendChild(svg("text", {x: (pad.left + width - pad.right) / 2, y: height - 4, "text-anchor": "middle",
                                  text: opts.xLabel}));
  }
  return root;
}
