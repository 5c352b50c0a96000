// A node's page: latest values with their meaning, a chart per quantity (24 h / 7 d / 30 d, mean
// line with the min-max band of each bucket), and the CSV of exactly the readings the chart covers.
"use strict";
(async () => {
  const id = location.pathname.split("/").pop();
  const levels = await cn.licence();
  const f = await cn.json("/api/nodes/" + id);
  const p = f.properties;
  document.title = p.name + " · CityNode";
  document.getElementById("title").textContent = p.name;
  document.getElementById("where").textContent = (p.site ? p.site + " · " : "") +
    (f.geometry ? f.geometry.coordinates[1].toFixed(5) + ", " + f.geometry.coordinates[0].toFixed(5) : "no location given") + " · node " + p.node;
  const body = document.querySelector("#latest tbody");
  const select = document.getElementById("channel");
  const known = Object.fromEntries(levels.quantities.map(q => [q.channel, q]));
  for (const [ch, v] of Object.entries(p.values)) {
    const tr = cn.el("tr", { "data-channel": ch });
    tr.appendChild(cn.el("td", {}, known[ch] ? known[ch].title : ch));
    // A value carries its own time only when it is older than the latest sample (the channel was not in it).
    tr.appendChild(cn.el("td", { class: "value" }, (v.value === null ? v.status : v.value + " " + cn.unit(v.unit)) + (v.time ? " (at " + cn.iso(v.time) + " UTC)" : "")));
    const lv = cn.el("td"); if (v.level) lv.appendChild(cn.el("span", { class: "tone " + v.tone }, v.level)); tr.appendChild(lv);
    body.appendChild(tr);
    const o = cn.el("option", { value: ch }, known[ch] ? known[ch].title : ch); select.appendChild(o);
  }
  if (p.time) document.getElementById("latest-time").textContent = "Latest sample: " + cn.iso(p.time) + " UTC.";
  const dl = document.getElementById("meanings");
  for (const ch of Object.keys(p.values)) {
    const q = known[ch]; if (!q) continue;
    dl.appendChild(cn.el("dt", {}, q.title));
    const dd = cn.el("dd", {}, q.meaning + (q.bands.length ? " Levels: " + q.bands.map(b => b.label).join("; ") + "." : "") +
      (q.source ? " Source: " + q.source + "." : "") + (q.note ? " " + q.note : ""));
    dl.appendChild(dd);
  }
  let range = "24h";
  const draw = async () => {
    const ch = select.value;
    const s = await cn.json(`/api/nodes/${id}/series?channel=${encodeURIComponent(ch)}&range=${range}`);
    document.getElementById("csv").href = `/api/nodes/${id}/readings?channel=${encodeURIComponent(ch)}&since=${s.since}&until=${s.until}&format=csv&limit=10000`;
    const svg = document.getElementById("chart");
    svg.replaceChildren();
    const W = 1000, H = 320, L = 60, B = 30, T = 10;
    const pts = s.points || [];
    svg.setAttribute("data-points", pts.length);
    if (pts.length === 0) { svg.appendChild(cn.svg("text", { class: "axis", x: L, y: 40 }, "no valid readings in this period")); return; }
    let lo = Math.min(...pts.map(q => q[2])), hi = Math.max(...pts.map(q => q[3]));
    if (hi === lo) { hi += 1; lo -= 1; }
    const X = t => L + (t - s.since) / (s.until - s.since) * (W - L - 10), Y = v => T + (hi - v) / (hi - lo) * (H - T - B);
    for (let i = 0; i <= 4; i++) {
      const v = lo + (hi - lo) * i / 4;
      svg.appendChild(cn.svg("line", { class: "grid", x1: L, x2: W, y1: Y(v), y2: Y(v) }));
      svg.appendChild(cn.svg("text", { class: "axis", x: 2, y: Y(v) + 4 }, +v.toPrecision(4)));
    }
    for (let i = 0; i <= 4; i++) {
      const t = s.since + (s.until - s.since) * i / 4;
      svg.appendChild(cn.svg("text", { class: "axis", x: X(t) - (i === 4 ? 110 : i === 0 ? 0 : 55), y: H - 8 }, cn.iso(t).slice(0, 16)));
    }
    const band = pts.map(q => `${X(q[0])},${Y(q[3])}`).concat(pts.slice().reverse().map(q => `${X(q[0])},${Y(q[2])}`)).join(" ");
    svg.appendChild(cn.svg("polygon", { class: "band", points: band }));
    svg.appendChild(cn.svg("polyline", { class: "line", points: pts.map(q => `${X(q[0])},${Y(q[1])}`).join(" ") }));
    const unit = cn.unit(p.values[ch].unit);
    document.getElementById("chart-note").textContent = `${known[ch] ? known[ch].title : ch} in ${unit}: mean of each ${Math.round(s.bucket_seconds / 60)} min (line) and its range (band), ${cn.iso(s.since)} to ${cn.iso(s.until)} UTC.`;
  };
  select.addEventListener("change", draw);
  for (const b of document.querySelectorAll("#ranges button")) {
    b.addEventListener("click", async () => {
      range = b.dataset.range;
      document.querySelectorAll("#ranges button").forEach(x => x.classList.toggle("on", x === b));
      await draw();
    });
  }
  await draw();
  document.body.setAttribute("data-ready", "node");
})().catch(e => { document.body.setAttribute("data-error", e.message); console.error(e); });
