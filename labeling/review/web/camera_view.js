// The camera image with every box projected into it (edges clipped behind the camera), the class
// and track id over each box, the selected box highlighted. Click selects.
import {labelAnchor, projectBoxEdges} from './geometry.js';

export const CLASS_COLOURS = {
  Car: '#4fc3f7',
  Van: '#81c784',
  Truck: '#ffb74d',
  Pedestrian: '#f06292',
  Cyclist: '#ba68c8',
  Tram: '#a1887f',
  Misc: '#90a4ae',
  Unknown: '#e0e0e0',
};
export const SELECTED_COLOUR = '#ffeb3b';

export class CameraView {
  constructor(canvas, onPick) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.image = null;
    this.camera = null;
    this.boxes = [];
    this.selected = null;
    this.drawnBoxes =
        0;  // boxes with at least one edge in the image at the last draw (tests read it)
    canvas.addEventListener('mousedown', (e) => onPick(this.pick(e)));
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  set(image, camera, boxes, selected) {
    Object.assign(this, {image, camera, boxes, selected});
    this.draw();
  }

  // Image pixels to canvas pixels: the image is fitted into the canvas, aspect kept, centred.
  layout() {
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    const iw = this.camera ? this.camera.width : 1242, ih = this.camera ? this.camera.height : 375;
    const scale = Math.min(w / iw, h / ih);
    return {scale, ox: (w - iw * scale) / 2, oy: (h - ih * scale) / 2, w, h};
  }

  draw() {
    const dpr = window.devicePixelRatio || 1;
    const {scale, ox, oy, w, h} = this.layout();
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#111';
    ctx.fillRect(0, 0, w, h);
    this.drawnBoxes = 0;
    if (!this.camera) {
      ctx.fillStyle = '#888';
      ctx.fillText('no camera image in this frame', 12, 20);
      return;
    }
    if (this.image)
      ctx.drawImage(this.image, ox, oy, this.camera.width * scale, this.camera.height * scale);
    ctx.save();
    ctx.beginPath();
    ctx.rect(ox, oy, this.camera.width * scale, this.camera.height * scale);
    ctx.clip();
    ctx.font = '12px system-ui, sans-serif';
    // The selected box last, so it is drawn on top.
    const order =
        [...this.boxes].sort((a, b) => (a.uid === this.selected) - (b.uid === this.selected));
    for (const box of order) {
      const segments = projectBoxEdges(box, this.camera);
      if (!segments.length) continue;
      const selected = box.uid === this.selected;
      const colour = selected ? SELECTED_COLOUR : CLASS_COLOURS[box.class] || '#fff';
      ctx.strokeStyle = colour;
      ctx.lineWidth = selected ? 3 : 1.5;
      ctx.beginPath();
      let inside = false;
      for (const [[u0, v0], [u1, v1]] of segments) {
        ctx.moveTo(ox + u0 * scale, oy + v0 * scale);
        ctx.lineTo(ox + u1 * scale, oy + v1 * scale);
        inside ||= [u0, u1].some((u) => u >= 0 && u < this.camera.width) &&
            [v0, v1].some((v) => v >= 0 && v < this.camera.height);
      }
      ctx.stroke();
      if (inside) this.drawnBoxes += 1;
      const anchor = labelAnchor(box, this.camera);
      if (anchor) {
        const text = `${box.class} #${box.track_id}`;
        const x = ox + anchor[0] * scale, y = oy + anchor[1] * scale - 4;
        const width = ctx.measureText(text).width + 6;
        ctx.fillStyle = 'rgba(0,0,0,0.6)';
        ctx.fillRect(x - width / 2, y - 13, width, 15);
        ctx.fillStyle = colour;
        ctx.textAlign = 'center';
        ctx.fillText(text, x, y - 2);
      }
    }
    ctx.restore();
  }

  // The box whose projected outline encloses the click, the smallest if several; null for none.
  pick(event) {
    if (!this.camera) return null;
    const rect = this.canvas.getBoundingClientRect();
    const {scale, ox, oy} = this.layout();
    const u = (event.clientX - rect.left - ox) / scale, v = (event.clientY - rect.top - oy) / scale;
    let best = null, bestArea = Infinity;
    for (const box of this.boxes) {
      const segments = projectBoxEdges(box, this.camera);
      if (!segments.length) continue;
      const us = segments.flatMap(([a, b]) => [a[0], b[0]]),
            vs = segments.flatMap(([a, b]) => [a[1], b[1]]);
      const [u0, u1, v0, v1] = [Math.min(...us), Math.max(...us), Math.min(...vs), Math.max(...vs)];
      const area = (u1 - u0) * (v1 - v0);
      if (u >= u0 && u <= u1 && v >= v0 && v <= v1 && area < bestArea) {
        best = box.uid;
        bestArea = area;
      }
    }
    return best;
  }
}
