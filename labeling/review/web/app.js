// The review page: claims a task, shows each frame of its window in the camera and 3D views, lets
// the reviewer fix the boxes from the keyboard or mouse, and submits. State lives in `state`; every
// change ends in redraw().
import {api, setTokenPrompt} from './api.js';
import {CameraView} from './camera_view.js';
import {CloudView} from './cloud_view.js';
import {CLASSES, LabelSet} from './editing.js';
import {actionFor, KEYS, REJECT_REASONS, rejectReasonFor} from './keys.js';

const $ = (id) => document.getElementById(id);
const STEP_M = 0.1, BIG_STEP_M = 1.0, SIZE_STEP_M = 0.1, BIG_SIZE_STEP_M = 0.5;
const STEP_RAD = Math.PI / 180, BIG_STEP_RAD = Math.PI / 18;

const HIDE_SCORE_BELOW = 0.5;
const state = {
  reviewer: localStorage.getItem('longtail.reviewer') || '',
  role: null,  // the account's role when the server has accounts (then `reviewer` is its name)
  claim: null,   // {claim_id, task_id, lease_expires_ns} while this page holds a lease
  task: null,    // the server's task detail
  labels: null,  // LabelSet
  frameIndex: 0,
  selected: null,  // uid of the selected box
  cameraIndex: 0,
  readOnly: false,  // looking back at a finished task
  history: [],      // task ids reviewed or passed, for "previous task"
  frameCache: new Map(),
  heartbeat: null,
  busy: false,
  // Boxes scored below this are hidden (h shows them): scores are calibrated probabilities, so by
  // default the reviewer sees the boxes more likely right than wrong.
  hideBelow: HIDE_SCORE_BELOW,
};

// What the browser test reads: timings and what is on screen.
const stats = {
  firstRenderMs: null,
  pointsInView: 0,
  frameLoads: [],
  marks: {}
};
const mark = (name) => {
  if (!(name in stats.marks)) stats.marks[name] = performance.now();
};
window.__review = {
  state,
  stats,
  visibleBoxes: () => boxesHere(),
};

const cameraView = new CameraView($('camera-canvas'), (uid) => select(uid));
const cloudView = new CloudView($('cloud-canvas'), {
  // A click picks without moving the view: the box stays under the mouse for a drag.
  onPick: (uid) => select(uid, false),
  onDragStart: () => {
    dragSnapshot = true;
  },
  onDrag: ({dx = 0, dy = 0, dyaw = 0}) => dragEdit(dx, dy, dyaw),
  onResize: (factor) => editSelected((l, f, u) => {
    const b = l.find(f, u);
    return l.resize(f, u, b.length * (factor - 1), b.width * (factor - 1), 0);
  }),
});
window.__review.cloudView = cloudView;
window.__review.cameraView = cameraView;
let dragSnapshot = false;

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

// The frame's boxes as the views and the list show them: most confident first, and without the
// low-scored ones while the reviewer hides them.
function boxesHere() {
  if (!state.labels) return [];
  return state.labels.boxes(state.frameIndex)
      .filter((b) => b.score >= state.hideBelow || b.uid === state.selected)
      .sort((a, b) => b.score - a.score || a.track_id - b.track_id);
}
// Where a new box stands: the median bottom of the frame's boxes; without boxes, the road height
// the server gives from the log's calibration; without one, the low end of the frame's points.
function groundBelowBoxes(boxes) {
  const bottoms = boxes.map((b) => b.z - b.height / 2).sort((a, b) => a - b);
  if (bottoms.length) return bottoms[Math.floor(bottoms.length / 2)];
  // The last loaded frame, even while this one loads: the same log, the same mounting.
  const frame = state.frame;
  if (!frame) return 0;
  if (typeof frame.meta.ground_z === 'number') return frame.meta.ground_z;
  const heights = [];
  for (let k = 2; k < frame.points.length; k += 4) heights.push(frame.points[k]);
  heights.sort((a, b) => a - b);
  return heights.length ? heights[Math.floor(heights.length * 0.02)] : 0;
}
function selectedBox() {
  return state.labels && state.selected ? state.labels.find(state.frameIndex, state.selected) :
                                          null;
}

// ---- Loading
// --------------------------------------------------------------------------------------

async function loadFrame(taskId, index) {
  const key = `${taskId}/${index}`;
  if (!state.frameCache.has(key)) {
    const promise = (async () => {
      const started = performance.now();
      const meta = await api.frame(taskId, index);
      const [points, images] = await Promise.all([
        api.points(meta.points_url),
        Promise.all(meta.cameras.map((c) => api.image(c.image_url).catch(() => null))),
      ]);
      stats.frameLoads.push(performance.now() - started);
      return {meta, points, images};
    })();
    promise.catch(() => state.frameCache.delete(key));
    state.frameCache.set(key, promise);
    // Keep the neighbourhood only: a window of 120k-point frames is tens of MB.
    if (state.frameCache.size > 12) state.frameCache.delete(state.frameCache.keys().next().value);
  }
  return state.frameCache.get(key);
}

async function showFrame(index) {
  if (!state.task) return;
  const t = state.task.task;
  index = Math.min(t.last_frame, Math.max(t.first_frame, index));
  state.frameIndex = index;
  if (state.selected && !selectedBox()) state.selected = null;
  redraw();
  status(`loading frame ${index}…`);
  try {
    mark('frameRequested');
    const frame = await loadFrame(t.id, index);
    mark('frameLoaded');
    if (state.frameIndex !== index || !state.task || state.task.task.id !== t.id) return;
    state.frame = frame;
    cloudView.setPoints(frame.points);
    stats.pointsInView = frame.points.length / 4;
    redraw();
    if (stats.firstRenderMs === null) {
      // Time to first render: from navigation start to the first frame with points drawn.
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      stats.firstRenderMs = performance.now();
    }
    status(`frame ${index}: ${frame.points.length / 4} points, ${
        frame.meta.cameras.length} camera(s)`);
    for (const next of [index + 1, index - 1]) {
      if (next >= t.first_frame && next <= t.last_frame) loadFrame(t.id, next).catch(() => {});
    }
  } catch (error) {
    status(`frame ${index}: ${error.message}`, true);
  }
}

async function openTask(taskId, claim) {
  const detail = await api.task(taskId);
  mark('task');
  state.task = detail;
  state.claim = claim;
  state.readOnly = !claim;
  state.frameCache.clear();
  state.frame = null;
  state.selected = null;
  // A finished task shows what was decided; a claimed one starts from the pre-labels.
  const labels =
      state.readOnly && detail.final_labels.length ? detail.final_labels : detail.prelabels;
  state.labels = new LabelSet(labels);
  // Start where the task is worst: the peak of its most severe episode.
  await showFrame(detail.task.peak_frame ?? detail.task.first_frame);
  startHeartbeat();
}

async function claimNext() {
  if (state.busy) return;
  state.busy = true;
  try {
    // Claim the next task before giving this one back, so the queue cannot hand the same one again.
    const previous = state.claim;
    mark('claim');
    const {claim, message} = await api.claim(state.reviewer);
    mark('claimed');
    if (previous) {
      await api.release(previous.claim_id, state.reviewer).catch(() => {});
      state.history.push(previous.task_id);
    } else if (state.task) {
      state.history.push(state.task.task.id);
    }
    if (!claim) {
      state.claim = null;
      state.task = null;
      state.labels = null;
      stopHeartbeat();
      redraw();
      status(message || 'no task is waiting');
      return;
    }
    await openTask(claim.task_id, claim);
  } catch (error) {
    status(error.message, true);
  } finally {
    state.busy = false;
  }
}

async function previousTask() {
  const id = state.history.pop();
  if (id === undefined) return status('no previous task');
  if (state.claim) {
    await api.release(state.claim.claim_id, state.reviewer).catch(() => {});
    state.claim = null;
  }
  await openTask(id, null);
  status(`task ${id} (view only: already reviewed or given back)`);
}

function startHeartbeat() {
  stopHeartbeat();
  if (!state.claim) return;
  // A third of the lease, so two missed beats still keep it.
  const leaseMs = Number(BigInt(state.claim.lease_expires_ns) / 1000000n) - Date.now();
  const every = Math.max(5000, Math.min(60000, leaseMs / 3));
  state.heartbeat = setInterval(async () => {
    if (!state.claim) return;
    try {
      const {lease_expires_ns} = await api.heartbeat(state.claim.claim_id, state.reviewer);
      state.claim.lease_expires_ns = lease_expires_ns;
      redraw();
    } catch (error) {
      status(`lease lost: ${error.message}`, true);
      state.claim = null;
      stopHeartbeat();
    }
  }, every);
}
function stopHeartbeat() {
  if (state.heartbeat) clearInterval(state.heartbeat);
  state.heartbeat = null;
}

// ---- Submitting
// -----------------------------------------------------------------------------------

async function submit(verdict, comment = '', rejectReason = null) {
  if (!state.claim || state.busy) return status('no claimed task to submit', true);
  const corrections = state.labels.corrections();
  if (verdict === 'accept' && corrections.length) verdict = 'correct';
  const body = {
    claim_id: state.claim.claim_id,
    reviewer: state.reviewer,
    verdict,
    comment,
    corrections: verdict === 'correct' ? corrections : []
  };
  if (verdict === 'reject') body.reject_reason = rejectReason;
  try {
    const result = await api.submit(state.claim.task_id, body);
    status(`task ${result.task_id}: ${result.verdict} → ${result.state}`);
    window.__review.lastSubmit = result;
    state.history.push(state.claim.task_id);
    state.claim = null;
    stopHeartbeat();
    await claimNext();
  } catch (error) {
    status(`submit refused: ${error.message}`, true);
  }
}

// ---- Editing
// --------------------------------------------------------------------------------------

function select(uid, focus = true) {
  state.selected = uid;
  const box = selectedBox();
  if (box && focus) cloudView.focus(box);
  redraw();
}

function cycleSelection(step) {
  const boxes = boxesHere();
  if (!boxes.length) return;
  const i = boxes.findIndex((b) => b.uid === state.selected);
  const next = i < 0 ? (step > 0 ? 0 : boxes.length - 1) : (i + step + boxes.length) % boxes.length;
  select(boxes[next].uid);
}

function editSelected(operation) {
  if (state.readOnly) return status('view only: this task is not claimed', true);
  if (!state.selected) return status('select an object first (Tab)', true);
  if (operation(state.labels, state.frameIndex, state.selected)) redraw();
}

// A mouse drag is one undo step: the first movement snapshots, the rest change the box in place.
function dragEdit(dx, dy, dyaw) {
  if (state.readOnly || !state.selected) return;
  if (dragSnapshot) {
    state.labels.move(state.frameIndex, state.selected, 0, 0, 0);
    dragSnapshot = false;
  }
  const box = selectedBox();
  if (!box) return;
  box.x += dx;
  box.y += dy;
  box.yaw += dyaw;
  redraw();
}

// In the reject dialog: a reason's key rejects with it (and the note typed so far), Escape cancels,
// everything else types the note.
function onRejectKey(event) {
  if (event.key === 'Escape') {
    $('reject-dialog').hidden = true;
    return;
  }
  const reason = rejectReasonFor(event);
  if (!reason) return;
  event.preventDefault();
  $('reject-dialog').hidden = true;
  submit('reject', $('reject-input').value.trim(), reason);
}

// How far one key press moves, turns or resizes a box: Shift makes each step bigger.
function stepsOf(event) {
  const big = event.shiftKey;
  return {
    move: big ? BIG_STEP_M : STEP_M,
    size: big ? BIG_SIZE_STEP_M : SIZE_STEP_M,
    angle: big ? BIG_STEP_RAD : STEP_RAD,
  };
}

function toggleHelp() {
  $('help-dialog').hidden = !$('help-dialog').hidden;
}

function openRejectDialog() {
  if (!state.claim) return status('no claimed task to reject', true);
  $('reject-dialog').hidden = false;
  $('reject-input').value = '';
  $('reject-input').focus();
}

function deleteSelected() {
  editSelected((l, f, u) => {
    const ok = l.remove(f, u);
    state.selected = null;
    return ok;
  });
}

// The new box stands on the road (groundBelowBoxes), whatever the lidar mounting.
function addBox() {
  const L = state.labels;
  if (state.readOnly || !L) return status('view only: this task is not claimed', true);
  select(L.add(
      state.frameIndex, cloudView.view.target.x, cloudView.view.target.y,
      groundBelowBoxes(L.boxes(state.frameIndex))));
}

function propagateSelected() {
  editSelected((l, f, u) => {
    const n = l.propagate(f, u);
    status(`edit applied to ${n} other frame(s)`);
    return n > 0;
  });
}

function toggleHideLow() {
  state.hideBelow = state.hideBelow ? 0 : HIDE_SCORE_BELOW;
  status(state.hideBelow ? `hiding boxes scored below ${HIDE_SCORE_BELOW}` : 'showing every box');
  redraw();
}

// One handler per action of keys.js (which binds the keys to them): `event` is the key press,
// `s` its steps (stepsOf).
const ACTION_HANDLERS = {
  help: toggleHelp,
  deselect: () => {
    $('help-dialog').hidden = true;
    select(null);
  },
  nextFrame: () => showFrame(state.frameIndex + 1),
  prevFrame: () => showFrame(state.frameIndex - 1),
  nextTask: () => claimNext(),
  prevTask: () => previousTask(),
  submit: () => submit('accept'),
  reject: openRejectDialog,
  selectNext: () => cycleSelection(1),
  selectPrev: () => cycleSelection(-1),
  moveForward: (event, s) => editSelected((l, f, u) => l.move(f, u, s.move, 0)),
  moveBack: (event, s) => editSelected((l, f, u) => l.move(f, u, -s.move, 0)),
  moveLeft: (event, s) => editSelected((l, f, u) => l.move(f, u, 0, s.move)),
  moveRight: (event, s) => editSelected((l, f, u) => l.move(f, u, 0, -s.move)),
  moveUp: (event, s) => editSelected((l, f, u) => l.move(f, u, 0, 0, s.move)),
  moveDown: (event, s) => editSelected((l, f, u) => l.move(f, u, 0, 0, -s.move)),
  rotateLeft: (event, s) => editSelected((l, f, u) => l.rotate(f, u, s.angle)),
  rotateRight: (event, s) => editSelected((l, f, u) => l.rotate(f, u, -s.angle)),
  longer: (event, s) => editSelected((l, f, u) => l.resize(f, u, s.size, 0, 0)),
  shorter: (event, s) => editSelected((l, f, u) => l.resize(f, u, -s.size, 0, 0)),
  wider: (event, s) => editSelected((l, f, u) => l.resize(f, u, 0, s.size, 0)),
  narrower: (event, s) => editSelected((l, f, u) => l.resize(f, u, 0, -s.size, 0)),
  taller: (event, s) => editSelected((l, f, u) => l.resize(f, u, 0, 0, s.size)),
  lower: (event, s) => editSelected((l, f, u) => l.resize(f, u, 0, 0, -s.size)),
  class: (event) => editSelected((l, f, u) => l.setClass(f, u, CLASSES[Number(event.key)])),
  delete: deleteSelected,
  add: addBox,
  propagate: propagateSelected,
  undo: () => {
    if (state.labels && state.labels.undo()) redraw();
  },
  redo: () => {
    if (state.labels && state.labels.redo()) redraw();
  },
  topDown: () => {
    status(cloudView.toggleTopDown() ? '3D view: top-down' : '3D view: orbit');
    redraw();
  },
  colour: () => {
    status(`3D view: colour by ${cloudView.toggleColour()}`);
    redraw();
  },
  camera: () => {
    state.cameraIndex += 1;
    redraw();
  },
  hideLow: toggleHideLow,
};

function onKey(event) {
  const nameOpen = !$('name-dialog').hidden || !$('token-dialog').hidden;
  const rejectOpen = !$('reject-dialog').hidden;
  const helpOpen = !$('help-dialog').hidden;
  if (rejectOpen) return onRejectKey(event);
  if (nameOpen) return;
  const action = actionFor(event);
  if (!action) return;
  if (helpOpen && action !== 'help' && action !== 'deselect') return;
  event.preventDefault();
  if (Object.hasOwn(ACTION_HANDLERS, action)) ACTION_HANDLERS[action](event, stepsOf(event));
}

// ---- Drawing
// --------------------------------------------------------------------------------------

function redraw() {
  const boxes = boxesHere();
  const frame =
      state.frame && state.frame.meta.frame_index === state.frameIndex ? state.frame : null;
  const cameras = frame ? frame.meta.cameras : [];
  const ci = cameras.length ? state.cameraIndex % cameras.length : 0;
  cameraView.set(frame ? frame.images[ci] : null, cameras[ci] || null, boxes, state.selected);
  cloudView.setBoxes(boxes, state.selected);
  const all = state.labels ? state.labels.boxes(state.frameIndex).length : 0;
  const hidden = all - boxes.length;
  $('cloud-legend').textContent = `${stats.pointsInView} points · colour: ${cloudView.colourBy}` +
      (hidden ? ` · ${hidden} low-score box(es) hidden (h shows)` : '') +
      ` · ${cloudView.topDown ? 'top-down' : 'orbit'}${
                                      cameras[ci] ? ' · camera ' + cameras[ci].name : ''}`;

  const t = state.task && state.task.task;
  $('task-info').textContent = t ?
      `task ${t.id} · ${t.log_id} · ${t.detectors} · severity ${t.severity.toFixed(2)}${
          state.readOnly ? ' · view only (' + t.state + ')' : ''}` :
      'no task';
  $('frame-info').textContent =
      t ? `frame ${state.frameIndex} of ${t.first_frame}–${t.last_frame}` : '';
  $('lease-info').textContent = state.claim ?
      `lease until ${
          new Date(Number(BigInt(state.claim.lease_expires_ns) / 1000000n)).toLocaleTimeString()}` :
      '';
  $('reviewer-info').textContent = state.reviewer ?
      `reviewer: ${state.reviewer}${state.role ? ' (' + state.role + ')' : ''}` :
      '';
  const corrections = state.labels ? state.labels.corrections().length : 0;
  $('edit-info').textContent = corrections ? `${corrections} frame(s) edited` : '';

  const rows = boxes.map((b) => {
    const tr = document.createElement('tr');
    tr.dataset.uid = b.uid;
    tr.className = (b.uid === state.selected ? 'selected ' : '') +
        (state.labels.isEdited(state.frameIndex, b.uid) ? 'edited' : '');
    for (const text
             of [b.track_id, b.class, b.score.toFixed(2),
                 `${b.length.toFixed(1)}×${b.width.toFixed(1)}×${b.height.toFixed(1)}`, '']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    tr.addEventListener('click', () => select(b.uid));
    return tr;
  });
  $('objects').tBodies[0].replaceChildren(...rows);
  drawTimeline();
}

function drawTimeline() {
  const timeline = $('timeline'), list = $('events');
  if (!state.task) {
    timeline.replaceChildren();
    list.replaceChildren();
    return;
  }
  const t = state.task.task;
  const n = t.last_frame - t.first_frame + 1;
  const cells = [];
  for (let i = 0; i < n; ++i) {
    const cell = document.createElement('div');
    cell.className = 'cell' + (t.first_frame + i === state.frameIndex ? ' current' : '');
    cell.style.left = `${(100 * i) / n}%`;
    cell.style.width = `${100 / n}%`;
    cell.title = `frame ${t.first_frame + i}`;
    cell.addEventListener('click', () => showFrame(t.first_frame + i));
    cells.push(cell);
  }
  // One bar per episode, from its first to its last frame, with a mark at its peak; the bar's
  // title and the list give the reason at the peak. Clicking either goes to the peak.
  const x = (frame) =>
      (100 * (Math.min(Math.max(frame, t.first_frame), t.last_frame) - t.first_frame)) / n;
  const items = [];
  state.task.events.forEach((e, row) => {
    const peak = e.peak_frame ?? e.first_frame;
    const bar = document.createElement('div');
    bar.className = 'episode';
    bar.style.left = `${x(e.first_frame)}%`;
    bar.style.width = `${x(e.last_frame) - x(e.first_frame) + 100 / n}%`;
    bar.style.top = `${14 + (row % 3) * 10}px`;
    bar.style.opacity = `${0.35 + 0.65 * e.severity}`;
    bar.title = `${e.type} (severity ${e.severity.toFixed(2)} at frame ${peak}): ${e.reason}`;
    bar.addEventListener('click', () => showFrame(peak));
    const mark = document.createElement('div');
    mark.className = 'peak';
    mark.style.left =
        `${((x(peak) - x(e.first_frame)) / (x(e.last_frame) - x(e.first_frame) + 100 / n)) * 100}%`;
    bar.append(mark);
    cells.push(bar);
    const li = document.createElement('li');
    li.className =
        state.frameIndex >= e.first_frame && state.frameIndex <= e.last_frame ? 'active' : '';
    li.textContent = `${e.detector}/${e.type} (severity ${e.severity.toFixed(2)}, frames ${
        e.first_frame}–${e.last_frame}, peak ${peak}): ${e.reason}`;
    li.addEventListener('click', () => showFrame(peak));
    items.push(li);
  });
  timeline.replaceChildren(...cells);
  list.replaceChildren(...items);
}

// ---- Start
// ----------------------------------------------------------------------------------------

// Shows the token dialog; resolves with what the reviewer pastes. api.js calls it on a 401.
function askForToken(message) {
  return new Promise((resolve) => {
    $('token-message').textContent = message;
    $('token-input').value = '';
    $('token-dialog').hidden = false;
    $('token-input').focus();
    status('log in with your reviewer token');
    const form = $('token-form');
    const onSubmit = (event) => {
      event.preventDefault();
      const entered = $('token-input').value.trim();
      if (!entered) return;
      form.removeEventListener('submit', onSubmit);
      $('token-dialog').hidden = true;
      status('logging in…');
      resolve(entered);
    };
    form.addEventListener('submit', onSubmit);
  });
}

async function start() {
  mark('start');
  $('help-table').replaceChildren(...KEYS.map((k) => {
    const tr = document.createElement('tr');
    tr.innerHTML = '<td></td><td></td>';
    tr.children[0].textContent = (k.ctrl ? 'Ctrl+' : '') + (k.shift ? 'Shift+' : '') + k.key;
    tr.children[1].textContent = k.text;
    return tr;
  }));
  $('help-button').addEventListener('click', toggleHelp);
  $('help-dialog').addEventListener('click', () => {
    $('help-dialog').hidden = true;
  });
  // A key bound in keys.js to an action with no handler here would do nothing: say so (the page
  // tests fail on console errors).
  for (const {key, action} of KEYS) {
    if (action && !Object.hasOwn(ACTION_HANDLERS, action)) {
      console.error(`key ${key}: no handler for action ${action}`);
    }
  }
  document.addEventListener('keydown', onKey);
  $('reject-reasons').replaceChildren(...REJECT_REASONS.map((r) => {
    const li = document.createElement('li');
    li.textContent = `${r.key}: ${r.text}`;
    return li;
  }));
  // Enter alone does not reject: the reviewer must say why.
  $('reject-form').addEventListener('submit', (e) => e.preventDefault());
  $('name-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.reviewer = $('name-input').value.trim();
    if (!state.reviewer) return;
    localStorage.setItem('longtail.reviewer', state.reviewer);
    $('name-dialog').hidden = true;
    claimNext();
  });
  // Give the task back when the tab closes, so nobody waits for the lease to run out.
  window.addEventListener('pagehide', () => {
    if (state.claim) api.releaseOnExit(state.claim.claim_id, state.reviewer).catch(() => {});
  });
  setTokenPrompt(askForToken);
  redraw();
  // With accounts the server says who the token belongs to (asking for the token first); without,
  // the page asks for a name.
  let who;
  try {
    who = await api.whoami();
  } catch (error) {
    return status(error.message, true);
  }
  if (who.accounts) {
    state.reviewer = who.reviewer;
    state.role = who.role;
    redraw();
    claimNext();
  } else if (!state.reviewer) {
    $('name-dialog').hidden = false;
    $('name-input').focus();
    status('who is reviewing?');
  } else {
    claimNext();
  }
}

start();
