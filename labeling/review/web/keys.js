// Every keyboard shortcut, in one table: actionFor turns a key press into its action, app.js has
// one handler per action (ACTION_HANDLERS) and `?` lists this table, so the help can never
// disagree with what the keys do. `key` is KeyboardEvent.key; `ctrl` also matches Meta.
export const KEYS = [
  {key: '?', action: 'help', text: 'show / hide this list'},
  {key: 'd', action: 'nextFrame', text: 'next frame'},
  {key: 'a', action: 'prevFrame', text: 'previous frame'},
  {key: 'N', action: 'nextTask', text: 'next task (gives this one back unreviewed)'},
  {key: 'P', action: 'prevTask', text: 'previous task (view only)'},
  {key: 'Enter', action: 'submit', text: 'submit: accept, or correct when boxes were edited'},
  {key: 'r', action: 'reject', text: 'reject (asks why: one key per reason)'},
  {key: 'Tab', action: 'selectNext', text: 'select the next object'},
  {key: 'Tab', shift: true, action: 'selectPrev', text: 'select the previous object'},
  {key: 'Escape', action: 'deselect', text: 'clear the selection / close a dialog'},
  {key: 'ArrowUp', action: 'moveForward', text: 'move box forward (+x) 0.1 m (Shift: 1 m)'},
  {key: 'ArrowDown', action: 'moveBack', text: 'move box back (-x)'},
  {key: 'ArrowLeft', action: 'moveLeft', text: 'move box left (+y)'},
  {key: 'ArrowRight', action: 'moveRight', text: 'move box right (-y)'},
  {key: 'PageUp', action: 'moveUp', text: 'move box up (+z)'},
  {key: 'PageDown', action: 'moveDown', text: 'move box down (-z)'},
  {key: 'q', action: 'rotateLeft', text: 'rotate box 1 deg counter-clockwise (Shift: 10 deg)'},
  {key: 'e', action: 'rotateRight', text: 'rotate box clockwise'},
  {key: 'i', action: 'longer', text: 'length +0.1 m (Shift: +0.5 m)'},
  {key: 'k', action: 'shorter', text: 'length -0.1 m'},
  {key: 'l', action: 'wider', text: 'width +0.1 m'},
  {key: 'j', action: 'narrower', text: 'width -0.1 m'},
  {key: 'o', action: 'taller', text: 'height +0.1 m'},
  {key: 'u', action: 'lower', text: 'height -0.1 m'},
  {
    key: '0-7',
    action: 'class',
    text: 'class: 0 Unknown 1 Car 2 Van 3 Truck 4 Pedestrian 5 Cyclist 6 Tram 7 Misc'
  },
  {key: 'Delete', action: 'delete', text: 'delete the box (also Backspace)'},
  {key: 'b', action: 'add', text: 'add a box at the 3D view centre'},
  {
    key: 'p',
    action: 'propagate',
    text: 'apply the box edit to the object in every frame of the window'
  },
  {key: 'z', ctrl: true, action: 'undo', text: 'undo'},
  {key: 'y', ctrl: true, action: 'redo', text: 'redo (also Ctrl+Shift+Z)'},
  {key: 't', action: 'topDown', text: '3D view: top-down / orbit'},
  {key: 'c', action: 'colour', text: '3D view: colour by height / intensity'},
  {key: 'v', action: 'camera', text: 'next camera'},
  {key: 'h', action: 'hideLow', text: 'show / hide boxes scored below 0.5 (hidden at first)'},
  {
    key: 'mouse',
    action: null,
    text:
        '3D view: drag orbits, right- or Shift-drag pans, wheel zooms; drag a box to move it, Alt-drag rotates it, Ctrl-wheel resizes it; click selects (both views)'
  },
];

// The action a key press asks for, or null.
export function actionFor(event) {
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key;
  if (ctrl && (key === 'z' || key === 'Z')) return event.shiftKey ? 'redo' : 'undo';
  if (ctrl && key === 'y') return 'redo';
  if (ctrl) return null;
  if (key >= '0' && key <= '7' && key.length === 1) return 'class';
  if (key === 'Backspace') return 'delete';
  if (key === 'Tab') return event.shiftKey ? 'selectPrev' : 'selectNext';
  const find = (name) => KEYS.find((k) => k.key === name && !k.ctrl && k.action && k.key !== 'Tab');
  // Shift makes the step bigger: Shift+i arrives as 'I', which means 'i' unless 'I' has its own
  // binding (N and P do).
  const entry = find(key) || (event.shiftKey && key.length === 1 ? find(key.toLowerCase()) : null);
  return entry ? entry.action : null;
}

// Why a task is rejected: in the reject dialog each reason is one key. `reason` is the API's
// reject_reason.
export const REJECT_REASONS = [
  {key: '1', reason: 'false_alarm', text: 'false alarm: nothing happened'},
  {key: '2', reason: 'not_worth_review', text: 'real, but not worth review'},
  {key: '3', reason: 'wrong_object', text: 'wrong object: the event names the wrong actor'},
  {key: '4', reason: 'wrong_box', text: 'wrong box: too far off to correct'},
];

export function rejectReasonFor(event) {
  const found = REJECT_REASONS.find((r) => r.key === event.key);
  return found ? found.reason : null;
}
