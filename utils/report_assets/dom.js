"use strict";
// Small DOM and number helpers. Text always goes in through textContent, never innerHTML:
// transcripts and file names are data, not markup.

const REPORT = window.CURRACH_REPORT;

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "cls") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of [].concat(children || [])) {
    if (child === null || child === undefined) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function fmt(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  return Number(value).toFixed(digits === undefined ? 2 : digits);
}

function rate(errors, refLen) {
  // Percent; null when undefined (no reference tokens but insertions), as score.json does.
  if (errors === null || errors === undefined) return null;
  if (refLen === 0) return errors === 0 ? 0 : null;
  return 100 * errors / refLen;
}

function ciText(ci) {
  return ci ? fmt(ci[0]) + "–" + fmt(ci[1]) : "n/a";
}

function table(headers, rows, cls) {
  // headers: [label or {label, num}], rows: arrays of cell values (string, number or Node).
  const head = el("tr", {}, headers.map(h => el("th", {cls: h.num ? "num" : null, text: h.label || h})));
  const body = rows.map(row => el("tr", {}, row.map((cell, k) => {
    const num = headers[k] && headers[k].num;
    if (cell instanceof Node) return el("td", {cls: num ? "num" : null}, cell);
    return el("td", {cls: num ? "num" : null, text: cell === null || cell === undefined ? "–" : String(cell)});
  })));
  return el("table", {cls: "grid " + (cls || "")}, [el("thead", {}, head), el("tbody", {}, body)]);
}

function words(text) {
  return text ? text.split(/\s+/).filter(Boolean) : [];
}

function heading(text, level) {
  return el(level || "h2", {text: text});
}

function fillSelect(select, options, chosen) {
  select.replaceChildren(...options.map(o => el("option", {value: o.value, text: o.label})));
  if (chosen !== undefined && options.some(o => o.value === chosen)) select.value = chosen;
}

function byId(id) {
  return document.getElementById(id);
}
