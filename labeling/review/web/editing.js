// The reviewer's working copy of a task's labels: per-frame boxes, edits, undo/redo, propagation
// along a track, and the corrections to submit. Boxes carry a page-only `uid` so a selection
// survives edits; it is stripped before submitting.
import {wrapAngle} from './geometry.js';

export const CLASSES = ['Unknown', 'Car', 'Van', 'Truck', 'Pedestrian', 'Cyclist', 'Tram', 'Misc'];

// Sizes a new box of each class starts with, m (KITTI averages).
const DEFAULT_SIZE = {
  Car: [4.2, 1.8, 1.55],
  Van: [5.1, 2.0, 2.2],
  Truck: [10.0, 2.6, 3.4],
  Pedestrian: [0.8, 0.7, 1.75],
  Cyclist: [1.8, 0.6, 1.75],
  Tram: [16.0, 2.6, 3.5],
  Misc: [2.0, 1.5, 1.5],
  Unknown: [2.0, 1.5, 1.5],
};
const MIN_SIZE_M = 0.1;

const clone = (value) => JSON.parse(JSON.stringify(value));
const strip = (box) => {
  const {uid, ...rest} = box;
  return rest;
};

export class LabelSet {
  // prelabels: [{frame_index, stamp_ns, boxes: [...]}] as the server sends them.
  constructor(prelabels) {
    let uid = 0;
    this.original = new Map();
    this.frames = new Map();
    for (const frame of prelabels) {
      const boxes = frame.boxes.map((b) => ({...b, uid: ++uid}));
      this.original.set(frame.frame_index, clone(boxes));
      this.frames.set(frame.frame_index, boxes);
    }
    this.nextUid = uid + 1;
    this.undoStack = [];
    this.redoStack = [];
  }

  boxes(frameIndex) {
    return this.frames.get(frameIndex) || [];
  }
  find(frameIndex, uid) {
    return this.boxes(frameIndex).find((b) => b.uid === uid) || null;
  }

  // Every edit goes through here: the whole state before it is kept for undo (a window is a few
  // dozen frames of a few dozen boxes, so snapshots are cheap and cannot drift).
  edit(change) {
    const before = this.snapshot();
    const changed = change();
    if (changed === false) return false;
    this.undoStack.push(before);
    if (this.undoStack.length > 500) this.undoStack.shift();
    this.redoStack = [];
    return true;
  }
  snapshot() {
    return clone([...this.frames.entries()]);
  }
  restore(snapshot) {
    this.frames = new Map(clone(snapshot));
  }
  undo() {
    if (!this.undoStack.length) return false;
    this.redoStack.push(this.snapshot());
    this.restore(this.undoStack.pop());
    return true;
  }
  redo() {
    if (!this.redoStack.length) return false;
    this.undoStack.push(this.snapshot());
    this.restore(this.redoStack.pop());
    return true;
  }

  move(frameIndex, uid, dx, dy, dz = 0) {
    return this.edit(() => {
      const b = this.find(frameIndex, uid);
      if (!b) return false;
      b.x += dx;
      b.y += dy;
      b.z += dz;
    });
  }
  rotate(frameIndex, uid, dyaw) {
    return this.edit(() => {
      const b = this.find(frameIndex, uid);
      if (!b) return false;
      b.yaw = wrapAngle(b.yaw + dyaw);
    });
  }
  resize(frameIndex, uid, dl, dw, dh) {
    return this.edit(() => {
      const b = this.find(frameIndex, uid);
      if (!b) return false;
      b.length = Math.max(MIN_SIZE_M, b.length + dl);
      b.width = Math.max(MIN_SIZE_M, b.width + dw);
      b.height = Math.max(MIN_SIZE_M, b.height + dh);
    });
  }
  setClass(frameIndex, uid, name) {
    return this.edit(() => {
      const b = this.find(frameIndex, uid);
      if (!b || b.class === name) return false;
      b.class = name;
    });
  }
  remove(frameIndex, uid) {
    return this.edit(() => {
      const boxes = this.boxes(frameIndex);
      const i = boxes.findIndex((b) => b.uid === uid);
      if (i < 0) return false;
      boxes.splice(i, 1);
    });
  }
  // A new box of `className` centred at (x, y) on the ground below the lidar; returns its uid.
  add(frameIndex, x, y, groundZ, className = 'Car') {
    const [length, width, height] = DEFAULT_SIZE[className];
    let trackId = 0;
    for (const boxes of this.frames.values())
      for (const b of boxes) trackId = Math.max(trackId, b.track_id + 1);
    const box = {
      x,
      y,
      z: groundZ + height / 2,
      length,
      width,
      height,
      yaw: 0,
      class: className,
      track_id: trackId,
      score: 1,
      uid: this.nextUid++
    };
    this.edit(() => {
      if (!this.frames.has(frameIndex)) this.frames.set(frameIndex, []);
      this.frames.get(frameIndex).push(box);
    });
    return box.uid;
  }

  // Carries the selected box's edit to the other frames of the window. Where the track has a box,
  // that box gets the same offset from its pre-label (so it still follows the track's motion), the
  // new size, heading change and class; where it has none (a box the reviewer added), a copy.
  // Returns how many frames changed.
  propagate(frameIndex, uid) {
    const edited = this.find(frameIndex, uid);
    if (!edited) return 0;
    const originalHere = edited.track_id >= 0 ?
        (this.original.get(frameIndex) || []).find((b) => b.track_id === edited.track_id) :
        null;
    const delta = originalHere ? {
      x: edited.x - originalHere.x,
      y: edited.y - originalHere.y,
      z: edited.z - originalHere.z,
      yaw: wrapAngle(edited.yaw - originalHere.yaw)
    } :
                                 null;
    let count = 0;
    this.edit(() => {
      for (const [index, boxes] of this.frames) {
        if (index === frameIndex) continue;
        const original =
            (this.original.get(index) || []).find((b) => b.track_id === edited.track_id);
        const i = boxes.findIndex((b) => edited.track_id >= 0 && b.track_id === edited.track_id);
        let box;
        if (original && delta) {
          box = {
            ...original,
            x: original.x + delta.x,
            y: original.y + delta.y,
            z: original.z + delta.z,
            yaw: wrapAngle(original.yaw + delta.yaw)
          };
        } else {
          box = {...edited};
        }
        Object.assign(box, {
          length: edited.length,
          width: edited.width,
          height: edited.height,
          class: edited.class,
          uid: i >= 0 ? boxes[i].uid : this.nextUid++
        });
        if (i >= 0)
          boxes[i] = box;
        else
          boxes.push(box);
        ++count;
      }
      return count > 0;
    });
    return count;
  }

  // Frames whose boxes differ from their pre-labels, each with all its boxes (a correction replaces
  // the frame's pre-labels as a whole).
  corrections() {
    const out = [];
    for (const [index, boxes] of this.frames) {
      const now = JSON.stringify(boxes.map(strip));
      const before = JSON.stringify((this.original.get(index) || []).map(strip));
      if (now !== before) out.push({frame_index: index, boxes: boxes.map(strip)});
    }
    return out.sort((a, b) => a.frame_index - b.frame_index);
  }
  isDirty() {
    return this.corrections().length > 0;
  }
  isEdited(frameIndex, uid) {
    const box = this.find(frameIndex, uid);
    const original = (this.original.get(frameIndex) || []).find((b) => b.uid === uid);
    return !original || JSON.stringify(strip(box)) !== JSON.stringify(strip(original));
  }
}
