// Start-up: tabs, then every section. `window.explorerReady` (ms since navigation start) is set once
// the first render has been painted: the benchmark reads it, the browser test waits for it.

function showTab(name) {
  document.querySelectorAll("#tabs button").forEach(b => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll("section.tab").forEach(s => s.classList.toggle("active", s.id === name));
}

function start() {
  if (!REPORT) {
    document.body.replaceChildren(el("p", {cls: "bad", text: "data.js was not loaded: keep it beside index.html."}));
    return;
  }
  document.querySelectorAll("#tabs button").forEach(b => b.addEventListener("click", () => showTab(b.dataset.tab)));
  byId("meta").textContent = `${REPORT.recipe} · model ${REPORT.tag}`;
  renderSystems(byId("systems"));
  setupUtterances();
  renderErrors(byId("errors"));
  renderData(byId("data"));
  if (location.hash) showTab(location.hash.slice(1));
  window.explorerBuilt = performance.now();
  // After the next frame: the first render has been laid out and painted, not only built.
  requestAnimationFrame(() => setTimeout(() => { window.explorerReady = performance.now(); }, 0));
}

start();
