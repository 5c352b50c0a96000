// Shared by the public pages: fetch JSON, escape text, show the licence. No library, no CDN.
"use strict";
window.cn = {
  json: async (url) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ": " + r.status + " " + (await r.text()));
    return r.json();
  },
  el: (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  },
  svg: (tag, attrs, text) => {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  },
  unit: (u) => ({ "ug/m3": "µg/m³", "uS/cm": "µS/cm", "Cel": "°C", "%RH": "%", "%": "%" })[u] ?? u,
  iso: (t) => new Date(t * 1000).toISOString().replace(".000Z", "Z").replace("T", " "),
  licence: async () => {
    const l = await cn.json("/api/levels");
    const p = document.getElementById("licence");
    p.textContent = "Data licence: " + l.licence + ". Attribution: " + l.attribution + ".";
    return l;
  },
};
