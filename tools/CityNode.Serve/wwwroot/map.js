// The map: nodes on an equirectangular projection scaled by cos(latitude), so distances look right
// in a city; drawn in SVG from /api/map (each node's place and the one value it is coloured by, a
// small answer even for 10,000 nodes), with no tile server (nothing to fail to load). Every value of
// every node is in /api/nodes; the table below shows a page of nodes at a time.
"use strict";
(async () => {
  const levels = await cn.licence();
  document.getElementById("title").textContent = levels.title;
  const data = await cn.json("/api/map");
  const col = Object.fromEntries(data.fields.map((f, i) => [f, i]));
  const nodes = data.nodes.map(n => Object.fromEntries(data.fields.map(f => [f, n[col[f]]])));
  for (const n of nodes) {
    const b = n.band === null ? null : data.bands[n.band];
    n.level = b ? b.label : null;
    n.tone = b ? b.tone : "none";
  }
  const title = Object.fromEntries(levels.quantities.map(q => [q.channel, q.title]));
  const main = n => n.channel ? n.value + " " + cn.unit(n.unit) : "";
  const svg = document.getElementById("map");
  const placed = nodes.filter(n => n.lat !== null);
  const W = 1000, H = 600, pad = 60;
  // Names beside the dots while they can be read; in a city of thousands the dot's tooltip names it.
  const labels = placed.length <= 60;
  if (placed.length > 0) {
    const lat0 = placed.reduce((a, n) => a + n.lat, 0) / placed.length, k = Math.cos(lat0 * Math.PI / 180);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const n of placed) {
      minX = Math.min(minX, n.lon * k); maxX = Math.max(maxX, n.lon * k);
      minY = Math.min(minY, n.lat); maxY = Math.max(maxY, n.lat);
    }
    const scale = Math.min((W - 2 * pad) / Math.max(maxX - minX, 1e-4), (H - 2 * pad) / Math.max(maxY - minY, 1e-4));
    const cx = (W - scale * (maxX - minX)) / 2, cy = (H - scale * (maxY - minY)) / 2;
    for (let i = 0; i < 5; i++) {
      svg.appendChild(cn.svg("line", { class: "grid", x1: 0, x2: W, y1: i * H / 4, y2: i * H / 4 }));
      svg.appendChild(cn.svg("line", { class: "grid", y1: 0, y2: H, x1: i * W / 4, x2: i * W / 4 }));
    }
    const r = labels ? 12 : Math.max(3, Math.min(12, 400 / Math.sqrt(placed.length)));
    const frag = document.createDocumentFragment();
    for (const n of placed) {
      const x = cx + (n.lon * k - minX) * scale, y = H - (cy + (n.lat - minY) * scale);
      const g = cn.svg("g", { class: "node-mark", "data-node": n.node });
      const c = cn.svg("circle", { class: "node " + n.tone, cx: x, cy: y, r: r, id: "node-" + n.node, tabindex: 0 });
      c.appendChild(cn.svg("title", {}, n.name + (n.channel ? ": " + title[n.channel] + " " + main(n) + ", " + n.level : "")));
      g.appendChild(c);
      if (labels) g.appendChild(cn.svg("text", { class: "label", x: x + 16, y: y + 5 }, n.name + (n.channel ? " · " + main(n) : "")));
      frag.appendChild(g);
    }
    svg.appendChild(frag);
    svg.addEventListener("click", e => { const n = e.target.closest("[data-node]"); if (n) location.href = "/nodes/" + n.dataset.node; });
    svg.addEventListener("keydown", e => { const n = e.target.closest("[data-node]"); if (n && e.key === "Enter") location.href = "/nodes/" + n.dataset.node; });
  } else {
    svg.appendChild(cn.svg("text", { class: "label", x: 20, y: 40 }, "No sensor has a location yet (citynode provision --location or configure --location)."));
  }

  // The table, a page at a time.
  const per = 100, body = document.querySelector("#nodes tbody"), pager = document.getElementById("pager");
  const show = from => {
    body.replaceChildren();
    for (const n of nodes.slice(from, from + per)) {
      const tr = cn.el("tr", { "data-node": n.node });
      const td = cn.el("td"); td.appendChild(cn.el("a", { href: "/nodes/" + n.node }, n.name)); tr.appendChild(td);
      tr.appendChild(cn.el("td", {}, n.site || (n.lat !== null ? n.lat.toFixed(4) + ", " + n.lon.toFixed(4) : "no location")));
      tr.appendChild(cn.el("td", {}, n.channel ? title[n.channel] + ": " + main(n) : "-"));
      const lv = cn.el("td"); if (n.level) lv.appendChild(cn.el("span", { class: "tone " + n.tone }, n.level)); tr.appendChild(lv);
      tr.appendChild(cn.el("td", {}, n.time ? cn.iso(n.time) : "-"));
      body.appendChild(tr);
    }
    pager.replaceChildren();
    if (nodes.length > per) {
      pager.appendChild(cn.el("span", {}, `sensors ${from + 1}–${Math.min(from + per, nodes.length)} of ${nodes.length} `));
      for (const [label, to] of [["previous", from - per], ["next", from + per]]) {
        const b = cn.el("button", { type: "button" }, label);
        b.disabled = to < 0 || to >= nodes.length;
        b.addEventListener("click", () => show(to));
        pager.appendChild(b);
      }
    }
  };
  show(0);
  document.body.setAttribute("data-ready", "map");
})().catch(e => { document.body.setAttribute("data-error", e.message); console.error(e); });
