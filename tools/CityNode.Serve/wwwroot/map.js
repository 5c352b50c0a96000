// The map: nodes on an equirectangular projection scaled by cos(latitude), so distances look right
// in a city; drawn in SVG from /api/nodes, with no tile server (nothing to fail to load).
"use strict";
(async () => {
  const levels = await cn.licence();
  document.getElementById("title").textContent = levels.title;
  const data = await cn.json("/api/nodes");
  const title = Object.fromEntries(levels.quantities.map(q => [q.channel, q.title]));
  const svg = document.getElementById("map");
  const placed = data.features.filter(f => f.geometry);
  const W = 1000, H = 600, pad = 60;
  if (placed.length > 0) {
    const lats = placed.map(f => f.geometry.coordinates[1]), lons = placed.map(f => f.geometry.coordinates[0]);
    const lat0 = (Math.min(...lats) + Math.max(...lats)) / 2, k = Math.cos(lat0 * Math.PI / 180);
    const xs = lons.map(x => x * k), ys = lats;
    const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
    const scale = Math.min((W - 2 * pad) / Math.max(maxX - minX, 1e-4), (H - 2 * pad) / Math.max(maxY - minY, 1e-4));
    const cx = (W - scale * (maxX - minX)) / 2, cy = (H - scale * (maxY - minY)) / 2;
    for (let i = 0; i < 5; i++) {
      svg.appendChild(cn.svg("line", { class: "grid", x1: 0, x2: W, y1: i * H / 4, y2: i * H / 4 }));
      svg.appendChild(cn.svg("line", { class: "grid", y1: 0, y2: H, x1: i * W / 4, x2: i * W / 4 }));
    }
    placed.forEach((f, i) => {
      const x = cx + (xs[i] - minX) * scale, y = H - (cy + (ys[i] - minY) * scale);
      const p = f.properties, main = p.map_channel ? p.values[p.map_channel] : null;
      const g = cn.svg("g", { class: "node-mark", "data-node": p.node });
      const c = cn.svg("circle", { class: "node " + (p.map_tone || "none"), cx: x, cy: y, r: 12, id: "node-" + p.node, tabindex: 0 });
      c.appendChild(cn.svg("title", {}, p.name + (main ? ": " + title[p.map_channel] + " " + main.value + " " + cn.unit(main.unit) + ", " + main.level : "")));
      c.addEventListener("click", () => { location.href = "/nodes/" + p.node; });
      c.addEventListener("keydown", e => { if (e.key === "Enter") location.href = "/nodes/" + p.node; });
      g.appendChild(c);
      g.appendChild(cn.svg("text", { class: "label", x: x + 16, y: y + 5 }, p.name + (main ? " · " + main.value + " " + cn.unit(main.unit) : "")));
      svg.appendChild(g);
    });
  } else {
    svg.appendChild(cn.svg("text", { class: "label", x: 20, y: 40 }, "No sensor has a location yet (citynode provision --location or configure --location)."));
  }
  const body = document.querySelector("#nodes tbody");
  for (const f of data.features) {
    const p = f.properties, main = p.map_channel ? p.values[p.map_channel] : null;
    const tr = cn.el("tr", { "data-node": p.node });
    const a = cn.el("a", { href: "/nodes/" + p.node }, p.name);
    const td = cn.el("td"); td.appendChild(a); tr.appendChild(td);
    tr.appendChild(cn.el("td", {}, p.site || (f.geometry ? f.geometry.coordinates[1].toFixed(4) + ", " + f.geometry.coordinates[0].toFixed(4) : "no location")));
    tr.appendChild(cn.el("td", {}, main ? title[p.map_channel] + ": " + main.value + " " + cn.unit(main.unit) : "-"));
    const lv = cn.el("td"); if (main) lv.appendChild(cn.el("span", { class: "tone " + main.tone }, main.level)); tr.appendChild(lv);
    tr.appendChild(cn.el("td", {}, p.time ? cn.iso(p.time) : "-"));
    body.appendChild(tr);
  }
  document.body.setAttribute("data-ready", "map");
})().catch(e => { document.body.setAttribute("data-error", e.message); console.error(e); });
