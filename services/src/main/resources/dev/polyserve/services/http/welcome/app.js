// Polls the JSON API and the metrics endpoint so the page shows the server working.
"use strict";
// The examples name port 8080; show the address this page really came from.
const examples = document.getElementById("examples");
examples.textContent = examples.textContent.replaceAll("127.0.0.1:8080", location.host);
function metric(text, name) {
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(name + "{")) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}
async function refresh() {
  try {
    const t = await (await fetch("/api/time", { cache: "no-store" })).json();
    document.getElementById("time").textContent = new Date(t.now).toLocaleTimeString();
    document.getElementById("uptime").textContent = (t.uptimeMillis / 1000).toFixed(0) + " s";
    document.getElementById("model").textContent = t.model;
    const m = await (await fetch("/metrics", { cache: "no-store" })).text();
    document.getElementById("requests").textContent = metric(m, "polyserve_http_requests_total");
    document.getElementById("conns").textContent = metric(m, "polyserve_connections_open");
  } catch (e) {
    document.getElementById("time").textContent = "server not reachable";
  }
}
refresh();
setInterval(refresh, 1000);
