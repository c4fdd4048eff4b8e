// The 3D view: the frame's point cloud (coloured by height or intensity) and the boxes, with an
// orbit camera (drag to orbit, right-drag or Shift-drag to pan, wheel to zoom) and a top-down mode.
// Dragging a box moves it on the ground, Alt-drag rotates it, Ctrl/Alt-wheel resizes the selected
// box's footprint. Renders on demand only.
import {CLASS_COLOURS, SELECTED_COLOUR} from './camera_view.js';
import {footprintContains} from './geometry.js';
import * as THREE from './three.module.js';

// Height colour ramp limits, m in the vehicle frame (KITTI: road at about -1.7 m).
const Z_LOW = -2.0, Z_HIGH = 2.5;

function ramp(t, out, i) {
  // Blue -> cyan -> green -> yellow -> red: readable on black, monotone in hue.
  t = Math.min(1, Math.max(0, t));
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 1)));
  out[i] = r;
  out[i + 1] = g;
  out[i + 2] = b;
}

export class CloudView {
  constructor(canvas, {onPick, onDragStart, onDrag, onResize}) {
    this.canvas = canvas;
    this.renderer =
        new THREE.WebGLRenderer({canvas, antialias: false, preserveDrawingBuffer: true});
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    this.renderer.setClearColor(0x000000);
    this.scene = new THREE.Scene();
    this.camera = new THREE.PerspectiveCamera(55, 1, 0.1, 500);
    this.camera.up.set(0, 0, 1);
    this.view =
        {target: new THREE.Vector3(10, 0, -1), azimuth: Math.PI, elevation: 0.45, distance: 35};
    this.topDown = false;
    this.colourBy = 'height';
    this.points = null;
    this.raw = null;
    this.boxGroup = new THREE.Group();
    this.scene.add(this.boxGroup);
    this.scene.add(new THREE.AxesHelper(2));
    this.frameTimes = [];  // ms per render call (CPU side, including the GPU wait for SwiftShader)
    this.renderCount = 0;
    this.pending = false;
    this.handlers = {onPick, onDragStart, onDrag, onResize};
    this.attachMouse();
    new ResizeObserver(() => this.requestRender()).observe(canvas);
  }

  setPoints(data) {
    this.raw = data;
    const n = data.length / 4;
    const positions = new Float32Array(n * 3);
    for (let i = 0; i < n; ++i) {
      positions[3 * i] = data[4 * i];
      positions[3 * i + 1] = data[4 * i + 1];
      positions[3 * i + 2] = data[4 * i + 2];
    }
    if (this.points) {
      this.scene.remove(this.points);
      this.points.geometry.dispose();
    } else {
      this.material =
          new THREE.PointsMaterial({size: 2, sizeAttenuation: false, vertexColors: true});
    }
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(positions, 3));
    geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(n * 3), 3));
    this.points = new THREE.Points(geometry, this.material);
    this.scene.add(this.points);
    this.recolour();
  }

  recolour() {
    if (!this.points) return;
    const data = this.raw, n = data.length / 4;
    const colours = this.points.geometry.getAttribute('color');
    // Intensity: KITTI reflectance is in [0, 1]; other sensors' raw scales are normalised by the
    // frame's maximum.
    let maxIntensity = 1;
    if (this.colourBy === 'intensity')
      for (let i = 0; i < n; ++i) maxIntensity = Math.max(maxIntensity, data[4 * i + 3]);
    for (let i = 0; i < n; ++i) {
      const t = this.colourBy === 'height' ? (data[4 * i + 2] - Z_LOW) / (Z_HIGH - Z_LOW) :
                                             Math.sqrt(data[4 * i + 3] / maxIntensity);
      ramp(t, colours.array, 3 * i);
    }
    colours.needsUpdate = true;
    this.requestRender();
  }

  toggleColour() {
    this.colourBy = this.colourBy === 'height' ? 'intensity' : 'height';
    this.recolour();
    return this.colourBy;
  }

  toggleTopDown() {
    this.topDown = !this.topDown;
    this.requestRender();
    return this.topDown;
  }

  setBoxes(boxes, selected) {
    for (const child of [...this.boxGroup.children]) {
      this.boxGroup.remove(child);
      child.traverse((o) => {
        if (o.geometry) o.geometry.dispose();
      });
    }
    this.boxes = boxes;
    for (const box of boxes) {
      const isSelected = box.uid === selected;
      const colour = isSelected ? SELECTED_COLOUR : CLASS_COLOURS[box.class] || '#ffffff';
      const group = new THREE.Group();
      group.position.set(box.x, box.y, box.z);
      group.rotation.z = box.yaw;
      const edges = new THREE.LineSegments(
          new THREE.EdgesGeometry(new THREE.BoxGeometry(box.length, box.width, box.height)),
          new THREE.LineBasicMaterial({color: colour}));
      group.add(edges);
      // A heading tick from the centre to the front face.
      const heading = new THREE.BufferGeometry().setFromPoints(
          [new THREE.Vector3(0, 0, 0), new THREE.Vector3(box.length / 2 + 0.5, 0, 0)]);
      group.add(new THREE.Line(heading, new THREE.LineBasicMaterial({color: colour})));
      if (isSelected) {
        const fill = new THREE.Mesh(
            new THREE.BoxGeometry(box.length, box.width, box.height),
            new THREE.MeshBasicMaterial(
                {color: colour, transparent: true, opacity: 0.18, depthWrite: false}));
        group.add(fill);
      }
      this.boxGroup.add(group);
    }
    this.requestRender();
  }

  // Centres the view on a box without changing the viewing angle.
  focus(box) {
    this.view.target.set(box.x, box.y, box.z);
    this.requestRender();
  }

  placeCamera() {
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    if (w > 0 && h > 0 &&
        (this.canvas.width !== Math.round(w * this.renderer.getPixelRatio()) ||
         this.canvas.height !== Math.round(h * this.renderer.getPixelRatio()))) {
      this.renderer.setSize(w, h, false);
    }
    this.camera.aspect = w > 0 && h > 0 ? w / h : 1;
    this.camera.updateProjectionMatrix();
    const v = this.view;
    // Top-down looks straight down with forward (+x) up the screen; the tiny tilt keeps lookAt's
    // up vector defined.
    const elevation = this.topDown ? Math.PI / 2 - 1e-3 : v.elevation;
    const azimuth = this.topDown ? Math.PI : v.azimuth;
    const distance = this.topDown ? Math.max(v.distance, 20) : v.distance;
    this.camera.position.set(
        v.target.x + distance * Math.cos(elevation) * Math.cos(azimuth),
        v.target.y + distance * Math.cos(elevation) * Math.sin(azimuth),
        v.target.z + distance * Math.sin(elevation));
    this.camera.lookAt(v.target);
    // Projection and picking read matrixWorldInverse, which three.js otherwise refreshes only when
    // it renders: right after focus() they would see the camera of the last frame drawn.
    this.camera.updateMatrixWorld();
  }

  render() {
    const start = performance.now();
    this.placeCamera();
    this.renderer.render(this.scene, this.camera);
    // Wait for the GPU so the time measured is the frame's real cost, not just command submission.
    this.renderer.getContext().finish();
    const ms = performance.now() - start;
    this.frameTimes.push(ms);
    if (this.frameTimes.length > 600) this.frameTimes.shift();
    this.renderCount += 1;
    return ms;
  }

  requestRender() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  // Page coordinates of a vehicle-frame point in this view (for tests and overlays).
  screenOf(x, y, z) {
    this.placeCamera();
    const v = new THREE.Vector3(x, y, z).project(this.camera);
    const r = this.canvas.getBoundingClientRect();
    return {x: r.left + (v.x + 1) / 2 * r.width, y: r.top + (1 - v.y) / 2 * r.height};
  }

  // Where the mouse ray meets the horizontal plane z = `z`, as {x, y}; null when parallel.
  groundAt(event, z) {
    const rect = this.canvas.getBoundingClientRect();
    const ndc = new THREE.Vector2(
        ((event.clientX - rect.left) / rect.width) * 2 - 1,
        -((event.clientY - rect.top) / rect.height) * 2 + 1);
    const ray = new THREE.Raycaster();
    this.placeCamera();
    ray.setFromCamera(ndc, this.camera);
    const hit = new THREE.Vector3();
    return ray.ray.intersectPlane(new THREE.Plane(new THREE.Vector3(0, 0, 1), -z), hit) ?
        {x: hit.x, y: hit.y} :
        null;
  }

  boxUnder(event) {
    let best = null, bestDistance = Infinity;
    for (const box of this.boxes || []) {
      const p = this.groundAt(event, box.z);
      if (!p || !footprintContains(box, p.x, p.y, 0.5)) continue;
      const d = Math.hypot(p.x - box.x, p.y - box.y);
      if (d < bestDistance) {
        best = box;
        bestDistance = d;
      }
    }
    return best;
  }

  attachMouse() {
    const c = this.canvas;
    let drag = null;
    c.addEventListener('contextmenu', (e) => e.preventDefault());
    c.addEventListener('mousedown', (e) => {
      const box = e.button === 0 ? this.boxUnder(e) : null;
      if (box) {
        this.handlers.onPick(box.uid);
        const p = this.groundAt(e, box.z);
        drag = {mode: e.altKey ? 'rotate' : 'box', box, last: p, x: e.clientX, started: false};
      } else {
        drag = {
          mode: e.button === 2 || e.shiftKey ? 'pan' : 'orbit',
          x: e.clientX,
          y: e.clientY,
          moved: false
        };
      }
    });
    window.addEventListener('mouseup', (e) => {
      if (drag && drag.mode === 'orbit' && !drag.moved && e.target === c)
        this.handlers.onPick(null);
      drag = null;
    });
    window.addEventListener('mousemove', (e) => {
      if (!drag) return;
      if (drag.mode === 'box' || drag.mode === 'rotate') {
        if (!drag.started) {
          this.handlers.onDragStart();
          drag.started = true;
        }
        if (drag.mode === 'rotate') {
          this.handlers.onDrag({dyaw: (e.clientX - drag.x) * 0.01});
          drag.x = e.clientX;
          return;
        }
        const p = this.groundAt(e, drag.box.z);
        if (p && drag.last) this.handlers.onDrag({dx: p.x - drag.last.x, dy: p.y - drag.last.y});
        drag.last = p;
        return;
      }
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      drag.x = e.clientX;
      drag.y = e.clientY;
      drag.moved ||= Math.abs(dx) + Math.abs(dy) > 2;
      if (drag.mode === 'orbit' && !this.topDown) {
        this.view.azimuth -= dx * 0.008;
        this.view.elevation = Math.min(1.5, Math.max(0.05, this.view.elevation + dy * 0.008));
      } else {
        // Pan in the ground plane, scaled so the cloud follows the mouse roughly.
        const scale = this.view.distance * 0.0015;
        const az = this.topDown ? Math.PI : this.view.azimuth;
        const right = new THREE.Vector3(Math.sin(az), -Math.cos(az), 0);
        const forward = new THREE.Vector3(-Math.cos(az), -Math.sin(az), 0);
        this.view.target.addScaledVector(right, -dx * scale).addScaledVector(forward, dy * scale);
      }
      this.requestRender();
    });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      if (e.ctrlKey || e.altKey) {
        // Ctrl/Alt + wheel resizes the selected box's footprint instead of zooming.
        if (this.handlers.onResize) this.handlers.onResize(Math.exp(-e.deltaY * 0.001));
        return;
      }
      this.view.distance =
          Math.min(200, Math.max(3, this.view.distance * Math.exp(e.deltaY * 0.001)));
      this.requestRender();
    }, {passive: false});
  }

  // Renders `frames` frames back to back while orbiting, one per animation frame, and returns the
  // per-frame render times in ms: how smooth orbiting this cloud is.
  async benchmark(frames) {
    const times = [];
    for (let i = 0; i < frames; ++i) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      this.view.azimuth += 0.02;
      times.push(this.render());
    }
    return times;
  }

  // Fraction of sampled pixels that are not the clear colour: > 0 means something was drawn.
  coverage() {
    const gl = this.renderer.getContext();
    const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
    const pixels = new Uint8Array(w * h * 4);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    let lit = 0, samples = 0;
    for (let i = 0; i < pixels.length; i += 4 * 7) {
      samples += 1;
      if (pixels[i] + pixels[i + 1] + pixels[i + 2] > 30) lit += 1;
    }
    return lit / samples;
  }
}
