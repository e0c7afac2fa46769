// Keeps Stellina's page live: every few seconds it fetches /api/status and refills the
// parts of the page that change. Without it the page still shows everything (and reloads
// itself through the <noscript> refresh).
"use strict";

const PERIOD_MS = 3000;

function bytes(n) {
  if (n >= 1048576) return (Math.floor(n * 10 / 1048576) / 10).toFixed(1) + " MiB";
  return (Math.floor(n * 10 / 1024) / 10).toFixed(1) + " KiB";
}

function uptime(ms) {
  const s = Math.floor(ms / 1000);
  let text = "";
  if (s >= 3600) text += Math.floor(s / 3600) + " h ";
  if (s >= 60) text += Math.floor(s / 60) % 60 + " min ";
  return text + (s % 60) + "." + Math.floor(ms / 100) % 10 + " s";
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
}

function show(status) {
  document.getElementById("uptime").textContent = uptime(status.uptime_ms);
  const m = status.memory;
  let memory = m.total_bytes === null ? "not known yet"
                                      : bytes(m.free_bytes) + " free of " + bytes(m.total_bytes);
  if (m.kernel_heap_bytes !== null) memory += "; kernel heap " + bytes(m.kernel_heap_bytes);
  document.getElementById("memory").textContent = memory;

  const components = document.getElementById("components");
  components.replaceChildren();
  for (const c of status.components) {
    const row = document.createElement("tr");
    cell(row, c.name);
    cell(row, c.state, "state " + c.state);
    cell(row, c.isolation);
    cell(row, String(c.restarts), "n");
    cell(row, bytes(c.memory_bytes) + " / " + bytes(c.memory_limit_bytes), "n");
    cell(row, String(c.threads), "n");
    cell(row, c.last_exit);
    components.appendChild(row);
  }

  const network = document.getElementById("network");
  network.replaceChildren();
  for (const [name, value] of Object.entries(status.network)) {
    const row = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = name;
    row.appendChild(th);
    cell(row, String(value), "n");
    network.appendChild(row);
  }

  const h = status.httpd;
  const malformed = Object.values(h.errors).reduce((a, b) => a + b, 0) + h.bad_target;
  const rows = [["Connections open", h.connections_open],
                ["Connections accepted", h.connections_accepted], ["Requests", h.requests],
                ["Malformed requests", malformed], ["Methods refused", h.method_not_allowed],
                ["Bytes sent", h.bytes_out]];
  const server = document.getElementById("httpd");
  server.replaceChildren();
  for (const [name, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = String(value);
    server.append(dt, dd);
  }

  document.getElementById("log").textContent = status.log.map((l) => l + "\n").join("");
}

async function refresh() {
  try {
    const answer = await fetch("/api/status", { cache: "no-store" });
    if (answer.ok) show(await answer.json());
  } catch (e) {
    // The machine may be restarting: try again at the next period.
  }
}

setInterval(refresh, PERIOD_MS);
