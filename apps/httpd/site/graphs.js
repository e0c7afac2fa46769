// Stellina's graphs: line charts of the last minutes, drawn on canvases from the samples
// httpd keeps (/api/history; apps/httpd/history.h says what they hold). The charts cover
// what the samples do, in whole minutes, up to the window (10 minutes). The first fetch
// takes the whole window, then every PERIOD_MS only what is newer; samples older than the
// window are dropped. After drawing, each canvas says how many points it drew (data-points)
// and <main> how many charts and samples there are (data-drawn, data-samples).
"use strict";

const PERIOD_MS = 3000;
const PALETTE = ["#3a5bd9", "#d9480f", "#2b8a3e", "#ae3ec9", "#e67700", "#0b7285", "#c2255c",
                 "#5c940d", "#1864ab", "#862e9c", "#a61e4d", "#495057", "#f59f00", "#15aabf",
                 "#e03131", "#20c997"];
const DASHES = [[], [6, 3], [2, 3]];
const MUTED = "#5c6577", GRID = "#d9dee8";

const state = {
  samples: [],  // {t, dt, bytesIn, bytesOut, packetsIn, packetsOut, requests, used, cpu, memory}
  names: [],    // every component name seen, in the order first seen: its colour
  total: null,  // memory_total_bytes
  windowMs: 600000,
  last: null,   // t_ms of the newest sample
  empty: 0,     // answers in a row with nothing new (the machine may have restarted)
};

// Takes an /api/history answer: its samples as objects, keyed by component name.
function merge(h) {
  state.windowMs = h.window_ms;
  state.total = h.memory_total_bytes;
  for (const name of h.components) {
    if (!state.names.includes(name)) state.names.push(name);
  }
  let added = 0;
  for (const row of h.samples) {
    if (row === null || (state.last !== null && row[0] <= state.last)) continue;
    const cpu = {}, memory = {};
    h.components.forEach((name, i) => {
      cpu[name] = row[8][i] || 0;
      memory[name] = row[9][i] || 0;
    });
    state.samples.push({t: row[0], dt: row[1], bytesIn: row[2], bytesOut: row[3],
                        packetsIn: row[4], packetsOut: row[5], requests: row[6], used: row[7],
                        cpu: cpu, memory: memory});
    state.last = row[0];
    ++added;
  }
  const oldest = state.last === null ? 0 : state.last - state.windowMs;
  state.samples = state.samples.filter((s) => s.t > oldest);
  state.empty = added ? 0 : state.empty + 1;
}

// A step of 1, 2 or 5 times a power of ten, giving about `count` ticks up to max.
function niceStep(max, count) {
  const raw = max / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

function tickText(v, step) {
  const digits = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
  return v.toFixed(digits);
}

function valueText(v) {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

// How much time the charts show: what the samples cover, rounded up to a whole minute, from
// one minute to the whole window; and the x axis's ticks for it.
function span() {
  const covered = state.samples.length ? state.last - state.samples[0].t : 0;
  const ms = Math.min(state.windowMs, Math.max(60000, Math.ceil(covered / 60000) * 60000));
  if (ms <= 120000) {
    return {ms: ms, tick: 15000, label: 30000, unit: 1000, title: "seconds ago"};
  }
  return {ms: ms, tick: 60000, label: ms > 360000 ? 120000 : 60000, unit: 60000,
          title: "minutes ago"};
}

// Draws series [{name, color, dash, points: [[t, v], ...]}] on the chart's canvas over the
// time `shown` (span()) that ends at `end` (ms), with the unit on the y axis and the time
// before the newest sample on the x axis.
function drawChart(section, series, end, shown) {
  const canvas = section.querySelector("canvas");
  const unit = section.dataset.unit;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width, height = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  g.font = "12px system-ui, sans-serif";

  let max = 0;
  for (const s of series) {
    for (const p of s.points) max = Math.max(max, p[1]);
  }
  const step = niceStep(max > 0 ? max : 1, 4);
  const top = Math.max(step, Math.ceil(max / step) * step);

  const left = 56, right = 12, above = 22, below = 34;
  const plotW = width - left - right, plotH = height - above - below;
  const windowMs = shown.ms, start = end - windowMs;
  const x = (t) => left + (t - start) / windowMs * plotW;
  const y = (v) => above + plotH - v / top * plotH;

  // Grid, y ticks and the unit.
  g.strokeStyle = GRID;
  g.fillStyle = MUTED;
  g.lineWidth = 1;
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (let v = 0; v <= top + step / 2; v += step) {
    const yy = Math.round(y(v)) + 0.5;
    g.beginPath();
    g.moveTo(left, yy);
    g.lineTo(left + plotW, yy);
    g.stroke();
    g.fillText(tickText(v, step), left - 6, yy);
  }
  g.textAlign = "left";
  g.textBaseline = "alphabetic";
  g.fillText(unit, 4, 14);

  // x ticks: back from the newest sample.
  g.textAlign = "center";
  g.textBaseline = "top";
  for (let ago = 0; ago <= windowMs; ago += shown.tick) {
    const xx = Math.round(x(end - ago)) + 0.5;
    g.beginPath();
    g.moveTo(xx, above + plotH);
    g.lineTo(xx, above + plotH + 4);
    g.stroke();
    if (ago % shown.label === 0) {
      g.fillText(ago === 0 ? "now" : "\u2212" + ago / shown.unit, xx, above + plotH + 6);
    }
  }
  g.fillText(shown.title, left + plotW / 2, above + plotH + 19);

  // Axes.
  g.strokeStyle = MUTED;
  g.beginPath();
  g.moveTo(left + 0.5, above);
  g.lineTo(left + 0.5, above + plotH + 0.5);
  g.lineTo(left + plotW, above + plotH + 0.5);
  g.stroke();

  // The lines, broken where samples are missing (more than 5 periods between two).
  let points = 0;
  g.lineWidth = 1.6;
  g.lineJoin = "round";
  for (const s of series) {
    g.strokeStyle = s.color;
    g.setLineDash(s.dash);
    g.beginPath();
    let previous = null;
    for (const [t, v] of s.points) {
      if (t < start) continue;
      if (previous === null || t - previous > 5000) {
        g.moveTo(x(t), y(v));
      } else {
        g.lineTo(x(t), y(v));
      }
      previous = t;
      ++points;
    }
    g.stroke();
  }
  g.setLineDash([]);
  canvas.dataset.points = String(points);
  canvas.dataset.series = String(series.length);

  // The legend: each series with its colour and its newest value.
  const legend = section.querySelector(".legend");
  legend.replaceChildren();
  for (const s of series) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = s.dash.length
        ? "repeating-linear-gradient(90deg, " + s.color + " 0 " + s.dash[0] + "px, transparent " +
              s.dash[0] + "px " + (s.dash[0] + s.dash[1]) + "px)"
        : s.color;
    const last = s.points.length ? s.points[s.points.length - 1][1] : 0;
    item.append(swatch, s.name + " " + valueText(last) + " " + (section.dataset.short || unit));
    legend.appendChild(item);
  }
  if (series.length === 0) {
    const item = document.createElement("li");
    item.textContent = "nothing above zero in this window";
    legend.appendChild(item);
  }
  return points;
}

function style(i) {
  return {color: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / PALETTE.length) % 3]};
}

// A series per component from f(sample, name), leaving out those that stay at zero; the
// busiest first.
function perComponent(f) {
  const series = [];
  state.names.forEach((name, i) => {
    const points = state.samples.map((s) => [s.t, f(s, name)]);
    const sum = points.reduce((a, p) => a + p[1], 0);
    if (sum > 0) series.push(Object.assign({name: name, points: points, sum: sum}, style(i)));
  });
  return series.sort((a, b) => b.sum - a.sum);
}

function rate(f) {
  return (s) => s.dt > 0 ? f(s) * 1000 / s.dt : 0;
}

function named(name, i, f) {
  return Object.assign({name: name, points: state.samples.map((s) => [s.t, f(s)])}, style(i));
}

function draw() {
  const end = state.last === null ? 0 : state.last;
  const MiB = 1048576;
  const charts = [
    ["chart-cpu", perComponent((s, name) => s.dt > 0 ? s.cpu[name] / (s.dt * 10) : 0)],
    ["chart-memory", perComponent((s, name) => s.memory[name] / MiB)],
    ["chart-system-memory", [named("in use", 0, (s) => s.used / MiB)]],
    ["chart-traffic", [named("in", 0, rate((s) => s.bytesIn / 1024)),
                       named("out", 1, rate((s) => s.bytesOut / 1024))]],
    ["chart-packets", [named("in", 0, rate((s) => s.packetsIn)),
                       named("out", 1, rate((s) => s.packetsOut))]],
    ["chart-requests", [named("requests", 2, rate((s) => s.requests))]],
  ];
  const shown = span();
  let drawn = 0;
  for (const [id, series] of charts) {
    const section = document.getElementById(id);
    if (section) {
      drawChart(section, series, end, shown);
      ++drawn;
    }
  }
  const main = document.getElementById("graphs");
  main.dataset.drawn = String(drawn);
  main.dataset.samples = String(state.samples.length);
  const n = state.samples.length;
  let text = n + " samples";
  if (n > 0) {
    const span = (state.last - state.samples[0].t) / 1000;
    text += " over " + Math.round(span) + " s, the newest at " + (state.last / 1000).toFixed(1) +
            " s of uptime";
  }
  if (state.total) text += "; the machine has " + Math.round(state.total / MiB) + " MiB";
  document.getElementById("graphs-status").textContent = text + ".";
}

async function refresh() {
  if (state.empty >= 3) {  // nothing new for a while: start over (the machine may have rebooted)
    state.samples = [];
    state.last = null;
    state.empty = 0;
  }
  const url = state.last === null ? "/api/history" : "/api/history/since/" + state.last;
  try {
    const answer = await fetch(url, {cache: "no-store"});
    if (answer.ok) merge(await answer.json());
  } catch (e) {
    // The machine may be restarting: try again at the next period.
  }
  draw();
}

refresh();
setInterval(refresh, PERIOD_MS);
window.addEventListener("resize", draw);
