// The review page's behaviour: select a finding and scroll to its place, decide it
// through the API, keyboard shortcuts. Plain DOM; every text from the server is set
// with textContent, never as HTML.
"use strict";

(function () {
  const reviewer = document.getElementById("reviewer");
  if (reviewer) {
    reviewer.value = localStorage.getItem("nianbao.reviewer") || "";
    reviewer.addEventListener("change", () => localStorage.setItem("nianbao.reviewer", reviewer.value.trim()));
  }

  // ---- upload on the index page -------------------------------------------------
  const upload = document.getElementById("upload");
  if (upload) {
    upload.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const status = upload.querySelector(".upload-status");
      status.textContent = "extracting…";
      const res = await fetch("/v1/extract", { method: "POST", body: new FormData(upload) });
      const body = await res.json().catch(() => ({ message: res.statusText }));
      if (res.ok) { location.href = "/reports/" + body.id; } else { status.textContent = body.message; }
    });
  }

  const findings = Array.from(document.querySelectorAll("li.finding"));
  if (!findings.length) return;
  let current = -1;

  // pages keep their shape before their image loads, and boxes are placed from their
  // data (the CSP allows no inline styles)
  for (const sheet of document.querySelectorAll(".sheet[data-ratio]")) sheet.style.aspectRatio = sheet.dataset.ratio;
  for (const box of document.querySelectorAll(".box[data-box]")) {
    const [left, top, width, height] = box.dataset.box.split(" ").map(Number);
    Object.assign(box.style, { left: left + "%", top: top + "%", width: width + "%", height: height + "%" });
  }

  function marksOf(id) {
    return Array.from(document.querySelectorAll("[data-f]")).filter((el) => el.dataset.f.split(" ").includes(String(id)));
  }

  function select(i, scrollList) {
    if (i < 0 || i >= findings.length) return;
    for (const el of document.querySelectorAll(".focus")) el.classList.remove("focus");
    if (current >= 0) findings[current].classList.remove("current");
    current = i;
    const li = findings[i];
    li.classList.add("current");
    if (scrollList) li.scrollIntoView({ block: "nearest" });
    const marks = marksOf(li.dataset.id);
    for (const el of marks) el.classList.add("focus");
    // its place: the cell it is about on the page image (PDF), else in the source text, else in the tables
    const place = li.dataset.place;
    const boxes = marks.filter((el) => el.classList.contains("box"));
    const inSource = marks.filter((el) => el.closest(".source"));
    const target =
      boxes.find((el) => el.dataset.path === place) || inSource.find((el) => el.dataset.path === place) ||
      inSource[0] || boxes[0] || marks[0];
    if (target) target.scrollIntoView({ block: "center" });
  }

  function historyItem(r) {
    const li = document.createElement("li");
    const parts = [["time", r.decided_at], ["b", r.reviewer], ["span", r.decision]];
    parts.forEach(([tag, text], k) => {
      const el = document.createElement(tag);
      el.textContent = text;
      if (tag === "b") el.className = "who";
      if (tag === "span") el.className = "decision";
      li.append(el);
      if (k < parts.length - 1) li.append(" ");
    });
    if (r.corrected_value !== null && r.corrected_value !== undefined) li.append(` ${r.path} = ${r.corrected_value}`);
    if (r.note) li.append(" — " + r.note);
    return li;
  }

  function show(li, finding) {
    li.dataset.revision = finding.revision;
    li.className = li.className.replace(/status-\w+/, "status-" + finding.status);
    li.querySelector(".status").textContent = finding.status;
    const list = li.querySelector(".history");
    list.replaceChildren(...finding.reviews.map(historyItem));
  }

  async function decide(li, decision) {
    const out = li.querySelector(".outcome");
    const who = reviewer ? reviewer.value.trim() : "";
    if (!who) { out.textContent = "enter your name as reviewer (top right) first"; reviewer && reviewer.focus(); return; }
    localStorage.setItem("nianbao.reviewer", who);
    const body = { decision, reviewer: who, revision: Number(li.dataset.revision), note: li.querySelector(".note").value || null };
    if (decision === "correct") {
      const raw = li.querySelector(".value").value.trim().replace(/,/g, "");
      if (!/^-?\d+(\.\d+)?$/.test(raw)) { out.textContent = "enter the value as printed in the source (a number)"; return; }
      body.path = li.querySelector("select[name=path]").value;
      body.value = Number(raw);
    }
    out.textContent = "saving…";
    const res = await fetch(`/v1/findings/${li.dataset.id}/review`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({ message: res.statusText }));
    if (res.ok) {
      show(li, answer);
      out.textContent = `${decision} saved`;
      li.classList.remove("conflict");
    } else if (res.status === 409 && answer.current) {
      show(li, answer.current);
      const last = answer.current.reviews[answer.current.reviews.length - 1];
      out.textContent = last
        ? `not saved: ${last.reviewer} decided “${last.decision}” at ${last.decided_at} meanwhile; decide again if you disagree`
        : answer.message;
      li.classList.add("conflict");
    } else {
      out.textContent = answer.message || `error ${res.status}`;
    }
  }

  findings.forEach((li, i) => {
    li.addEventListener("click", (ev) => { if (!ev.target.closest("form, details")) select(i, false); });
    for (const button of li.querySelectorAll("button[data-decision]")) {
      button.addEventListener("click", () => { select(i, false); decide(li, button.dataset.decision); });
    }
  });
  for (const el of document.querySelectorAll("[data-f]")) {
    if (!el.dataset.f) continue;
    el.addEventListener("click", () => {
      const i = findings.findIndex((li) => li.dataset.id === el.dataset.f.split(" ")[0]);
      select(i, true);
    });
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.closest("input, textarea, select")) return;
    const li = findings[current];
    if (ev.key === "j") select(Math.min(current + 1, findings.length - 1), true);
    else if (ev.key === "k") select(Math.max(current - 1, 0), true);
    else if (ev.key === "c" && li) decide(li, "confirm");
    else if (ev.key === "d" && li) decide(li, "dismiss");
    else if (ev.key === "e" && li && li.querySelector(".value")) { ev.preventDefault(); li.querySelector(".value").focus(); }
    else return;
    ev.preventDefault();
  });

  const wanted = findings.findIndex((li) => "#" + li.id === location.hash);
  select(wanted >= 0 ? wanted : 0, true);
})();
