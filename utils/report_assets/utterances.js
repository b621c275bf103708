// The Utterances tab: a paged table over one set's utterances for one system (only PAGE_SIZE rows
// are ever in the DOM, so 20,000 utterances filter and sort without freezing the page), and the
// detail of the chosen utterance: audio, alignment, every other decoder's hypothesis.

const PAGE_SIZE = 50;
const LM_TEXT = {"0": "", "1": "better", "2": "changed", "3": "worse"};
const OP_NAMES = {C: "correct", S: "substitution", D: "deletion", I: "insertion"};

const state = {set: null, system: 0, speaker: -1, search: "", lmChanged: false, lmWorse: false,
               errorsOnly: false, sortKey: null, sortDir: 1, page: 0, selected: null, rows: []};
let haystack = [];

function currentSet() { return REPORT.sets[state.set]; }
function currentSystem() { return currentSet().systems[state.system]; }

function lmSystem(set, system) {
  // The LM system whose "changed / worse" codes apply: this one, or the LM system built on it.
  if (system.lm_codes) return system;
  return set.systems.find(s => s.lm_codes && s.base === system.label) || set.systems.find(s => s.lm_codes) || null;
}

function uttWer(set, sys, i) { return rate(sys.we[i], set.nw[i]); }
function uttCer(set, sys, i) { return rate(sys.ce[i], set.nc[i]); }

function setupUtterances() {
  const sets = Object.keys(REPORT.sets);
  if (!sets.length) return;
  fillSelect(byId("set"), sets.map(s => ({value: s, label: s})), sets.includes("test") ? "test" : sets[0]);
  byId("set").addEventListener("change", () => chooseSet(byId("set").value));
  byId("system").addEventListener("change", () => { state.system = Number(byId("system").value); rebuild(); });
  byId("speaker").addEventListener("change", () => { state.speaker = Number(byId("speaker").value); refresh(); });
  let timer = null;
  byId("search").addEventListener("input", () => {  // debounced: one filter per pause in typing
    clearTimeout(timer);
    timer = setTimeout(() => { state.search = byId("search").value.trim().toLowerCase(); refresh(); }, 150);
  });
  for (const [id, key] of [["lm-changed", "lmChanged"], ["lm-worse", "lmWorse"], ["errors-only", "errorsOnly"]]) {
    byId(id).addEventListener("change", () => { state[key] = byId(id).checked; refresh(); });
  }
  document.querySelectorAll("#utt-table th[data-key]").forEach(th => th.addEventListener("click", () => {
    state.sortDir = state.sortKey === th.dataset.key ? -state.sortDir : (th.dataset.key === "id" ? 1 : -1);
    state.sortKey = th.dataset.key;
    refresh();
  }));
  byId("prev").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); renderPage(); });
  byId("next").addEventListener("click", () => { state.page += 1; renderPage(); });
  chooseSet(byId("set").value);
}

function chooseSet(name) {
  state.set = name;
  const set = currentSet();
  const lmIndex = set.systems.findIndex(s => s.lm_codes);
  state.system = lmIndex >= 0 ? lmIndex : 0;
  fillSelect(byId("system"), set.systems.map((s, k) => ({value: String(k), label: s.label})), String(state.system));
  fillSelect(byId("speaker"), [{value: "-1", label: `all (${set.speakers.length})`}]
    .concat(set.speakers.map((s, k) => ({value: String(k), label: s}))), "-1");
  state.speaker = -1;
  rebuild();
}

function rebuild() {
  const set = currentSet(), sys = currentSystem();
  haystack = set.ref.map((ref, i) => (set.ids[i] + "\n" + ref + "\n" + (sys.hyp[i] || "")).toLowerCase());
  const lm = lmSystem(set, sys);
  for (const id of ["lm-changed", "lm-worse"]) byId(id).disabled = !lm;
  state.selected = null;
  refresh();
}

function sortValue(set, sys, lm, key) {
  if (key === "id") return i => set.ids[i];
  if (key === "speaker") return i => set.speakers[set.spk[i]];
  if (key === "dur") return i => set.dur[i];
  if (key === "wer") return i => uttWer(set, sys, i);
  if (key === "cer") return i => uttCer(set, sys, i);
  if (key === "lm") return i => (lm ? Number(lm.lm_codes[i]) : 0);
  return null;
}

function refresh() {
  const set = currentSet(), sys = currentSystem(), lm = lmSystem(set, sys);
  const rows = [];
  for (let i = 0; i < set.ids.length; i++) {
    if (state.speaker >= 0 && set.spk[i] !== state.speaker) continue;
    if (state.errorsOnly && !(sys.we[i] > 0)) continue;
    if (lm && state.lmChanged && lm.lm_codes[i] === "0") continue;
    if (lm && state.lmWorse && lm.lm_codes[i] !== "3") continue;
    if (state.search && !haystack[i].includes(state.search)) continue;
    rows.push(i);
  }
  const value = sortValue(set, sys, lm, state.sortKey);
  if (value) {
    const keys = new Map(rows.map(i => [i, value(i)]));
    rows.sort((a, b) => {
      const x = keys.get(a), y = keys.get(b);
      if (x === y) return a - b;
      if (x === null || x === undefined) return 1;  // unknown values last, whichever the direction
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * state.sortDir;
    });
  }
  state.rows = rows;
  state.page = 0;
  document.querySelectorAll("#utt-table th[data-key]").forEach(th => {
    th.classList.toggle("sorted", th.dataset.key === state.sortKey);
    th.dataset.dir = th.dataset.key === state.sortKey ? (state.sortDir > 0 ? "asc" : "desc") : "";
  });
  renderPage();
}

function renderPage() {
  const set = currentSet(), sys = currentSystem(), lm = lmSystem(set, sys);
  const pages = Math.max(1, Math.ceil(state.rows.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const shown = state.rows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
  byId("count").textContent = `${state.rows.length} of ${set.ids.length} utterances · page ${state.page + 1} / ${pages}`;
  byId("prev").disabled = state.page === 0;
  byId("next").disabled = state.page >= pages - 1;
  byId("utt-table").tBodies[0].replaceChildren(...shown.map(i => el("tr", {
    "data-utt": set.ids[i], cls: i === state.selected ? "selected" : null,
    onclick: () => { state.selected = i; renderPage(); renderDetail(i); },
  }, [
    el("td", {text: set.ids[i], cls: "id"}), el("td", {text: set.speakers[set.spk[i]]}),
    el("td", {cls: "num", text: fmt(set.dur[i], 2)}), el("td", {cls: "num wer", text: fmt(uttWer(set, sys, i), 1)}),
    el("td", {cls: "num", text: fmt(uttCer(set, sys, i), 1)}),
    el("td", {cls: lm ? "lm lm-" + lm.lm_codes[i] : "lm", text: lm ? LM_TEXT[lm.lm_codes[i]] : ""}),
    el("td", {text: set.ref[i], cls: "text"}),
  ])));
}

function alignView(ref, hyp, ops) {
  // Rebuild the score.json alignment from the normalised texts and its op letters.
  if (ops === null || ops === undefined) return el("div", {cls: "align missing", text: "not scored by this system"});
  const r = words(ref), h = words(hyp);
  let a = 0, b = 0;
  const cells = Array.from(ops).map(op => {
    const refTok = op === "I" ? "" : r[a++];
    const hypTok = op === "D" ? "" : h[b++];
    return el("span", {cls: "cell op-" + op, title: OP_NAMES[op]},
              [el("span", {cls: "r", text: refTok || "\u00a0"}), el("span", {cls: "h", text: hypTok || "\u00a0"})]);
  });
  return el("div", {cls: "align"}, cells);
}

function renderDetail(i) {
  const set = currentSet(), sys = currentSystem(), lm = lmSystem(set, sys);
  const audio = set.wav[i] ? el("audio", {controls: "", preload: "metadata", src: set.wav[i]})
                           : el("p", {cls: "hint", text: "no playable wav in wav.scp"});
  const others = set.systems.filter(s => s !== sys).map(s => el("div", {cls: "other"}, [
    el("h4", {text: `${s.label} · WER ${fmt(uttWer(set, s, i), 1)} %`}), alignView(set.ref[i], s.hyp[i], s.ops[i]),
  ]));
  byId("detail").replaceChildren(
    el("h3", {text: set.ids[i]}),
    el("p", {text: `speaker ${set.speakers[set.spk[i]]} · ${fmt(set.dur[i], 2)} s · ${set.nw[i]} words` +
                   (lm && lm.lm_codes[i] !== "0" ? ` · LM ${LM_TEXT[lm.lm_codes[i]]} (${lm.label} vs ${lm.base})` : "")}),
    audio,
    el("h4", {text: `${sys.label} · WER ${fmt(uttWer(set, sys, i), 1)} % · CER ${fmt(uttCer(set, sys, i), 1)} %`}),
    alignView(set.ref[i], sys.hyp[i], sys.ops[i]),
    el("p", {cls: "legend"}, ["REF above, HYP below: ", el("span", {cls: "op-S", text: "substitution"}), " ",
                              el("span", {cls: "op-D", text: "deletion"}), " ", el("span", {cls: "op-I", text: "insertion"})]),
    others.length ? el("h4", {text: "other decoders"}) : null, ...others);
}
