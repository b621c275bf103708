// The Systems, Errors and Data tabs: tables and charts drawn once from the report data.

function renderSystems(root) {
  root.append(heading("Scored systems"), el("p", {cls: "hint", text:
    "Every score.json of the recipe, as in RESULTS.md: word and character error rates with 95 % bootstrap intervals."}));
  root.append(table(["system", "set", "decoder", "LM", "alpha", "beta", {label: "#utt", num: true},
                     {label: "WER %", num: true}, {label: "WER 95% CI", num: true}, {label: "CER %", num: true},
                     {label: "CER 95% CI", num: true}],
    REPORT.systems.map(s => [s.label, s.set, s.decoder + (s.beam_width && s.decoder !== "greedy" ? ` (beam ${s.beam_width})` : ""),
                             s.lm, s.alpha, s.beta, s.n_utts, fmt(s.wer), ciText(s.wer_ci), fmt(s.cer), ciText(s.cer_ci)]),
    "systems"));
  for (const [tag, curves] of Object.entries(REPORT.curves)) {
    const xy = (points, key, scale) => points.map(p => [p.step, p[key] === null || p[key] === undefined ? null : p[key] * scale]);
    root.append(heading(`Training of ${tag}`, "h3"), el("div", {cls: "charts"}, [
      lineChart([{label: "train loss", points: xy(curves.train, "loss", 1)}, {label: "dev loss", points: xy(curves.dev, "loss", 1)}],
                {title: "CTC loss", xLabel: "step", yLabel: "loss"}),
      lineChart([{label: "dev WER", points: xy(curves.dev, "wer", 100)}, {label: "dev CER", points: xy(curves.dev, "cer", 100)}],
                {title: "dev greedy error rates", xLabel: "step", yLabel: "%"}),
    ]));
  }
  if (!Object.keys(REPORT.curves).length) root.append(el("p", {cls: "hint", text: "No training curves (exp/<tag>/work/curves.json) found."}));
}

function renderErrors(root) {
  const choices = [];
  for (const [name, set] of Object.entries(REPORT.sets)) set.systems.forEach((s, k) => choices.push({value: `${name}/${k}`, label: s.label}));
  const select = el("select", {id: "err-system"});
  const body = el("div");
  fillSelect(select, choices, choices.find(c => c.value.startsWith("test/")) ? choices.find(c => c.value.startsWith("test/")).value : undefined);
  const draw = () => {
    const [name, k] = select.value.split("/");
    body.replaceChildren(...errorTables(name, REPORT.sets[name].systems[Number(k)]));
  };
  select.addEventListener("change", draw);
  root.append(heading("Errors"), el("div", {cls: "controls"}, el("label", {}, ["system ", select])), body);
  if (choices.length) draw();
  root.append(heading("Out-of-vocabulary words", "h3"), oovTable());
}

function errorTables(setName, sys) {
  const e = sys.errors;
  const spk = e.speakers;
  return [
    el("div", {cls: "columns"}, [
      el("div", {}, [heading("Top confusion pairs (ref → hyp)", "h3"),
        table([{label: "count", num: true}, "reference", "hypothesis"], e.confusions.map(c => [c.count, c.ref, c.hyp]))]),
      el("div", {}, [heading("Most-missed words (substituted or deleted)", "h3"),
        table(["word", {label: "missed", num: true}, {label: "seen", num: true}, {label: "% missed", num: true}],
              e.missed.map(m => [m.word, m.missed, m.count, fmt(100 * m.missed / m.count, 0)]))]),
      el("div", {}, [heading("Inserted / deleted words", "h3"),
        table(["inserted", {label: "#", num: true}, "deleted", {label: "#", num: true}],
              Array.from({length: Math.max(e.insertions.length, e.deletions.length)}, (_, k) => [
                e.insertions[k] ? e.insertions[k].word : "", e.insertions[k] ? e.insertions[k].count : "",
                e.deletions[k] ? e.deletions[k].word : "", e.deletions[k] ? e.deletions[k].count : ""]))]),
    ]),
    heading(`WER per speaker (${setName}, ${sys.label})`, "h3"),
    spk.length ? barChart(spk.map(s => s.speaker), [{label: "WER", values: spk.map(s => s.wer)}],
                          {title: "WER % by speaker", yLabel: "WER %", rotate: true, height: 300})
               : el("p", {cls: "hint", text: "no utt2spk"}),
  ];
}

function oovTable() {
  const rows = [];
  for (const [name, o] of Object.entries(REPORT.data.oov)) {
    for (const key of ["train", "lm"]) {
      const v = o[key];
      rows.push([name, key === "train" ? "train text" : "LM unigrams", v ? v.types : null, v ? v.tokens : null,
                 v ? fmt(v.rate) : null, v ? v.top.slice(0, 25).map(t => `${t.word} (${t.count})`).join(", ") : "not found"]);
    }
  }
  return table(["set", "against", {label: "OOV types", num: true}, {label: "OOV tokens", num: true},
                {label: "OOV token %", num: true}, "most frequent"], rows, "oov");
}

function renderData(root) {
  const d = REPORT.data;
  root.append(heading("Data sets"), table(["set", {label: "utterances", num: true}, {label: "speakers", num: true},
    {label: "hours", num: true}, {label: "words", num: true}, "left out at prep"],
    d.sets.map(s => [s.name, s.utts, s.speakers, fmt(s.hours, 3), s.words,
                     s.drops.map(r => `${r.file}: ${r.n}` + (r.n ? ` (${Object.entries(r.reasons).map(([k, n]) => `${n}× ${k}`).join(", ")})` : "")).join("; ")])));
  const h = d.histogram, labels = h.edges.slice(0, -1).map((e, k) => `${e}–${h.edges[k + 1]}`);
  // Shares, not counts: a 100-utterance test set stays visible beside a 20,000-utterance train set.
  const share = v => { const n = v.reduce((a, b) => a + b, 0); return v.map(c => (n ? 100 * c / n : 0)); };
  root.append(heading("Durations", "h3"), barChart(labels, Object.entries(h.counts).map(([n, v]) => ({label: n, values: share(v)})),
    {title: "share of each set's utterances by duration (s)", yLabel: "% of utterances", xLabel: "seconds", rotate: true, height: 300}));
  const names = d.sets.map(s => s.name);
  root.append(heading(`Characters against vocab.json (${d.vocab_size === null ? "not found" : d.vocab_size + " tokens"})`, "h3"),
    table(["char", "code point", ...names.map(n => ({label: n, num: true})), "in vocab"],
          d.chars.map(c => [c.char === " " ? "␣ (space)" : c.char, c.code, ...names.map(n => c.counts[n] || 0),
                            el("span", {cls: c.in_vocab === false ? "bad" : "", text: c.in_vocab === null ? "?" : (c.in_vocab ? "yes" : "NO")})]),
          "chars"));
  if (d.oov_chars.length) {
    root.append(heading("Characters outside the vocab (data/lang/oov_chars.tsv)", "h3"),
                table(Object.keys(d.oov_chars[0]), d.oov_chars.map(r => Object.values(r))));
  }
  for (const s of d.sets) {
    for (const r of s.drops.filter(r => r.n)) {
      root.append(heading(`${s.name}: ${r.file} (${r.n} rows${r.n > r.rows.length ? ", first " + r.rows.length + " shown" : ""})`, "h3"),
                  table(Object.keys(r.rows[0]), r.rows.map(row => Object.values(row))));
    }
  }
}
