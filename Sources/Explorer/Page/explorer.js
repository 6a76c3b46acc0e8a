// MusicVAE explorer: the page served by `musicvae serve`. Plain JavaScript, no build step; every piece of work
// (editing, drawing piano rolls, rendering audio) is a call to the server's API (README, "The explorer").
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  original: null,        // Uint8Array: the piece as opened
  name: "",
  current: null,         // Uint8Array: the edited piece (the original while no slider is moved)
  wav: new Map(),        // keyOf(MIDI bytes) -> WAV blob URL (each state rendered once)
  pieces: new Map(),     // name -> Uint8Array: examples fetched and files opened, for the pickers
  request: 0,            // number of the latest edit request: older answers are dropped
  interpolation: [],     // Uint8Array per step
  grid: [],              // Uint8Array per cell
  attributes: [],
};

// MARK: - API calls

async function api(path, options = {}) {
  const response = await fetch(path, options);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

// FNV-1a of a piece's bytes: the key its audio is cached under.
function keyOf(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16) + "-" + bytes.length;
}

const midiPost = (bytes) => ({ method: "POST", headers: { "Content-Type": "audio/midi" }, body: bytes });
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

function showError(error) {
  const box = $("error");
  box.textContent = String(error && error.message ? error.message : error);
  box.hidden = false;
}
function clearError() { $("error").hidden = true; $("error").textContent = ""; }
function status(text) { $("status").textContent = text; }

async function drawRoll(element, bytes, title) {
  const svg = await (await api("/api/pianoroll?title=" + encodeURIComponent(title), midiPost(bytes))).text();
  element.innerHTML = svg;
  const notes = element.querySelectorAll("rect[fill-opacity]").length;
  element.dataset.notes = String(notes);
  return notes;
}

// MARK: - Opening a piece

async function openPiece(bytes, name) {
  clearError();
  const previous = { original: state.original, name: state.name };
  state.original = bytes;
  state.name = name;
  try {
    const notes = await drawRoll($("original-roll"), bytes, name);
    $("original-count").textContent = `(${notes} notes)`;
  } catch (error) {
    // Not a piece the server can read: keep the one that was open.
    state.original = previous.original;
    state.name = previous.name;
    showError(`${name}: ${error.message}`);
    return;
  }
  $("piece-name").textContent = name;
  remember(name, bytes);
  resetSliders();
  await update();
}

function remember(name, bytes) {
  state.pieces.set(name, bytes);
  for (const select of document.querySelectorAll(".piece-pick")) {
    if (![...select.options].some((o) => o.value === name)) select.add(new Option(name, name));
  }
}

async function pieceBytes(name) {
  if (state.pieces.has(name)) return state.pieces.get(name);
  const bytes = new Uint8Array(await (await api("/api/examples/" + encodeURIComponent(name))).arrayBuffer());
  state.pieces.set(name, bytes);
  return bytes;
}

// MARK: - Sliders and the edit

function buildSliders() {
  const box = $("sliders");
  box.innerHTML = "";
  const track = $("track").value === "drums" ? "drums" : "melody";
  for (const a of state.attributes.filter((x) => x.track === track)) {
    const row = document.createElement("label");
    row.className = "slider";
    row.innerHTML = `<span>${a.name}</span><input type="range" min="${a.min}" max="${a.max}" step="0.25" value="0" ` +
      `data-attribute="${a.name}" id="slider-${a.name}"><output>0</output>`;
    const input = row.querySelector("input"), out = row.querySelector("output");
    input.addEventListener("input", () => { out.textContent = input.value; scheduleUpdate(); });
    box.appendChild(row);
  }
}

function resetSliders() {
  for (const input of $("sliders").querySelectorAll("input")) {
    input.value = "0";
    input.nextElementSibling.textContent = "0";
  }
}

function sliderQuery() {
  const q = new URLSearchParams();
  for (const input of $("sliders").querySelectorAll("input")) {
    if (Number(input.value) !== 0) { q.append("attribute", input.dataset.attribute); q.append("amount", input.value); }
  }
  q.set("track", $("track").value);
  q.set("keep_tune", $("keep-tune").checked ? "true" : "false");
  return q;
}

let timer = null;
function scheduleUpdate() {
  clearTimeout(timer);
  timer = setTimeout(update, 120);
}

async function update() {
  if (!state.original) return;
  const query = sliderQuery();
  const key = query.toString();
  const number = ++state.request;
  const moved = query.has("attribute");
  status(moved ? "editing…" : "");
  try {
    let bytes = state.original;
    let notes = null;
    if (moved) {
      const response = await api("/api/edit?" + key, midiPost(state.original));
      bytes = new Uint8Array(await response.arrayBuffer());
      notes = response.headers.get("X-Note-Count");
    }
    if (number !== state.request) return;            // a newer slider state is on its way
    const drawn = await drawRoll($("edited-roll"), bytes, moved ? "edited" : "original");
    if (number !== state.request) return;
    state.current = bytes;
    $("edited-count").textContent = `(${notes ?? drawn} notes)`;
    const link = $("download-midi");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([bytes], { type: "audio/midi" }));
    link.download = state.name.replace(/\.midi?$/i, "") + (moved ? "-edited.mid" : ".mid");
    link.classList.remove("disabled");
    const wav = state.wav.get(keyOf(bytes));
    $("download-wav").classList.toggle("disabled", !wav);
    if (wav) $("download-wav").href = wav;
    for (const id of ["play", "stop", "save-pipeline"]) $(id).disabled = false;
    status(moved ? "edited" : "");
    clearError();
  } catch (error) {
    if (number === state.request) { status(""); showError(error); }
  }
}

async function wavFor(bytes) {
  const key = keyOf(bytes);
  if (state.wav.has(key)) return state.wav.get(key);
  const blob = await (await api("/api/render", midiPost(bytes))).blob();
  const url = URL.createObjectURL(blob);
  state.wav.set(key, url);
  return url;
}

async function play(bytes) {
  clearError();
  try {
    status("rendering…");
    const key = keyOf(bytes);
    const url = await wavFor(bytes);
    const player = $("player");
    if (player.dataset.key !== key) { player.src = url; player.dataset.key = key; }
    if (state.current && key === keyOf(state.current)) {
      const link = $("download-wav");
      link.href = url;
      link.download = state.name.replace(/\.midi?$/i, "") + "-edited.wav";
      link.classList.remove("disabled");
    }
    status("playing");
    await player.play().catch(() => status("ready (press play on the player)"));
  } catch (error) {
    status("");
    showError(error);
  }
}

async function savePipeline() {
  try {
    const yaml = await (await api("/api/pipeline?" + sliderQuery().toString(), { method: "POST" })).blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(yaml);
    a.download = state.name.replace(/\.midi?$/i, "") + "-edit.yaml";
    a.click();
    status("pipeline saved: musicvae run " + a.download + " IN.mid --set output=OUT.mid");
  } catch (error) { showError(error); }
}

// MARK: - Interpolation, grid, samples

async function interpolate() {
  clearError();
  try {
    const form = new FormData();
    form.append("a", new Blob([await pieceBytes($("interp-a").value)]), "a.mid");
    form.append("b", new Blob([await pieceBytes($("interp-b").value)]), "b.mid");
    const q = new URLSearchParams({ steps: $("interp-steps").value, track: $("interp-track").value });
    const json = await (await api("/api/interpolate?" + q, { method: "POST", body: form })).json();
    state.interpolation = json.pieces.map((p) => fromBase64(p.midi));
    const slider = $("interp-step");
    slider.max = String(state.interpolation.length);
    slider.value = "1";
    slider.disabled = false;
    $("interp-play").disabled = false;
    $("interp-load").disabled = false;
    await showStep();
  } catch (error) { showError(error); }
}

async function showStep() {
  const i = Number($("interp-step").value) - 1;
  $("interp-step-label").textContent = `${i + 1} of ${state.interpolation.length}`;
  await drawRoll($("interp-roll"), state.interpolation[i], `step ${i + 1}`);
}

async function grid() {
  clearError();
  try {
    const form = new FormData();
    for (const corner of ["top_left", "top_right", "bottom_left", "bottom_right"]) {
      form.append(corner, new Blob([await pieceBytes($("grid-" + corner).value)]), corner + ".mid");
    }
    const steps = Number($("grid-steps").value);
    const q = new URLSearchParams({ steps: String(steps), track: $("grid-track").value });
    const json = await (await api("/api/grid?" + q, { method: "POST", body: form })).json();
    state.grid = json.pieces.map((p) => fromBase64(p.midi));
    const cells = $("grid-cells");
    cells.innerHTML = "";
    cells.style.gridTemplateColumns = `repeat(${steps}, 44px)`;
    state.grid.forEach((bytes, i) => {
      const button = document.createElement("button");
      button.textContent = `${Math.floor(i / steps) + 1},${(i % steps) + 1}`;
      button.addEventListener("click", async () => {
        for (const b of cells.children) b.classList.remove("on");
        button.classList.add("on");
        await drawRoll($("grid-roll"), bytes, `cell ${button.textContent}`);
        await play(bytes);
      });
      cells.appendChild(button);
    });
  } catch (error) { showError(error); }
}

async function sample() {
  clearError();
  try {
    const q = new URLSearchParams({
      count: $("sample-count").value, temperature: $("temperature").value, kind: $("sample-kind").value,
      seed: String(Math.floor(Math.random() * 1e9)),
    });
    const json = await (await api("/api/sample?" + q, { method: "POST" })).json();
    const box = $("samples");
    box.innerHTML = "";
    for (const p of json.pieces) {
      const bytes = fromBase64(p.midi);
      const row = document.createElement("div");
      row.className = "sample";
      const playButton = document.createElement("button");
      playButton.textContent = "▶";
      playButton.addEventListener("click", () => play(bytes));
      const edit = document.createElement("button");
      edit.textContent = "Edit";
      edit.addEventListener("click", () => openPiece(bytes, `sample-${p.name}.mid`));
      const roll = document.createElement("div");
      roll.className = "roll";
      row.append(playButton, edit, roll);
      box.appendChild(row);
      await drawRoll(roll, bytes, `sample ${p.name}`);
    }
  } catch (error) { showError(error); }
}

// MARK: - Wiring

async function start() {
  try {
    const health = await (await api("/api/health")).json();
    $("model").textContent = "model " + health.model;
    const list = await (await api("/api/attributes")).json();
    state.attributes = list.attributes.map((a) => ({ ...a, min: list.min, max: list.max }));
    buildSliders();
    const examples = (await (await api("/api/examples")).json()).examples;
    for (const name of examples) $("example").add(new Option(name, name));
    for (const select of document.querySelectorAll(".piece-pick")) for (const name of examples) select.add(new Option(name, name));
    const pick = (id, name) => { if (examples.includes(name)) $(id).value = name; };
    pick("interp-a", "twinkle"); pick("interp-b", "ode-to-joy");
    pick("grid-top_left", "twinkle"); pick("grid-top_right", "ode-to-joy");
    pick("grid-bottom_left", "frere-jacques"); pick("grid-bottom_right", "oh-susanna");
  } catch (error) { showError(error); }

  $("example").addEventListener("change", async () => {
    const name = $("example").value;
    if (!name) return;
    try { await openPiece(await pieceBytes(name), name); } catch (error) { showError(error); }
  });
  $("file").addEventListener("change", async () => {
    const file = $("file").files[0];
    if (file) await openPiece(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  const drop = document.body;
  drop.addEventListener("dragover", (e) => { e.preventDefault(); $("drop").classList.add("dragging"); });
  drop.addEventListener("dragleave", () => $("drop").classList.remove("dragging"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    $("drop").classList.remove("dragging");
    const file = e.dataTransfer.files[0];
    if (file) await openPiece(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  $("track").addEventListener("change", () => { buildSliders(); update(); });
  $("keep-tune").addEventListener("change", update);
  $("reset").addEventListener("click", () => { resetSliders(); update(); });
  $("play").addEventListener("click", () => state.current && play(state.current));
  $("stop").addEventListener("click", () => { const p = $("player"); p.pause(); p.currentTime = 0; status(""); });
  $("save-pipeline").addEventListener("click", savePipeline);
  $("interpolate").addEventListener("click", interpolate);
  $("interp-step").addEventListener("input", showStep);
  $("interp-play").addEventListener("click", () => {
    const i = Number($("interp-step").value) - 1;
    play(state.interpolation[i]);
  });
  $("interp-load").addEventListener("click", () => {
    const i = Number($("interp-step").value) - 1;
    openPiece(state.interpolation[i], `step-${i + 1}.mid`);
  });
  $("grid").addEventListener("click", grid);
  $("sample").addEventListener("click", sample);
  $("temperature").addEventListener("input", () => { $("temperature-label").textContent = $("temperature").value; });
}

start();
