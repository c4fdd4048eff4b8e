// Box geometry and camera projection, shared by the camera view and the 3D view. Pure functions
// over plain objects: a box is {x, y, z, length, width, height, yaw, class, track_id} in the
// vehicle frame (x forward, y left, z up; m, rad), a camera is the server's calibration entry
// (row-major `projection` 3x4 and `camera_from_vehicle` 4x4).

// Corners in the order the C++ Corners() uses: bottom face counter-clockwise from front-left, then
// the top face in the same order.
export function boxCorners(box) {
  const c = Math.cos(box.yaw), s = Math.sin(box.yaw);
  const hl = box.length / 2, hw = box.width / 2, hh = box.height / 2;
  const local = [[hl, hw], [-hl, hw], [-hl, -hw], [hl, -hw]];
  const corners = [];
  for (const dz of [-hh, hh]) {
    for (const [lx, ly] of local) {
      corners.push([box.x + c * lx - s * ly, box.y + s * lx + c * ly, box.z + dz]);
    }
  }
  return corners;
}

// The 12 edges plus a cross on the front face, so the heading is visible in the image.
export const BOX_EDGES = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 0],
  [4, 5],
  [5, 6],
  [6, 7],
  [7, 4],
  [0, 4],
  [1, 5],
  [2, 6],
  [3, 7],
  [0, 7],
  [3, 4],
];

// Points closer than this in front of the camera are clipped away, m: projecting points behind (or
// at) the image plane flips them across the image.
export const NEAR_CLIP_M = 0.1;

function transformPoint(m, p) {
  return [
    m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
    m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
    m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11],
  ];
}

// Camera-frame point (x right, y down, z forward) to pixel [u, v].
export function projectCameraPoint(projection, p) {
  const P = projection;
  const u = P[0] * p[0] + P[1] * p[1] + P[2] * p[2] + P[3];
  const v = P[4] * p[0] + P[5] * p[1] + P[6] * p[2] + P[7];
  const w = P[8] * p[0] + P[9] * p[1] + P[10] * p[2] + P[11];
  return [u / w, v / w];
}

// A vehicle-frame point to pixel [u, v], or null when it is behind the near plane.
export function projectVehiclePoint(camera, p) {
  const q = transformPoint(camera.camera_from_vehicle, p);
  if (q[2] < NEAR_CLIP_M) return null;
  return projectCameraPoint(camera.projection, q);
}

// The box's edges as pixel segments [[u0, v0], [u1, v1]], each edge clipped where it crosses the
// near plane; edges wholly behind the camera are dropped.
export function projectBoxEdges(box, camera) {
  const corners = boxCorners(box).map((p) => transformPoint(camera.camera_from_vehicle, p));
  const segments = [];
  for (const [i, j] of BOX_EDGES) {
    let a = corners[i], b = corners[j];
    if (a[2] < NEAR_CLIP_M && b[2] < NEAR_CLIP_M) continue;
    if (a[2] < NEAR_CLIP_M || b[2] < NEAR_CLIP_M) {
      // Move the point behind the plane along the edge to where the edge meets it.
      const t = (NEAR_CLIP_M - a[2]) / (b[2] - a[2]);
      const hit = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), NEAR_CLIP_M];
      if (a[2] < NEAR_CLIP_M)
        a = hit;
      else
        b = hit;
    }
    segments.push(
        [projectCameraPoint(camera.projection, a), projectCameraPoint(camera.projection, b)]);
  }
  return segments;
}

// Where the label text goes: above the box's top centre, or null when that is behind the camera.
export function labelAnchor(box, camera) {
  return projectVehiclePoint(camera, [box.x, box.y, box.z + box.height / 2]);
}

// Footprint test in the ground plane, with `margin` m of slack around the box.
export function footprintContains(box, x, y, margin = 0) {
  const dx = x - box.x, dy = y - box.y;
  const c = Math.cos(box.yaw), s = Math.sin(box.yaw);
  const lx = c * dx + s * dy, ly = -s * dx + c * dy;
  return Math.abs(lx) <= box.length / 2 + margin && Math.abs(ly) <= box.width / 2 + margin;
}

export function wrapAngle(a) {
  let r = a % (2 * Math.PI);
  if (r <= -Math.PI) r += 2 * Math.PI;
  if (r > Math.PI) r -= 2 * Math.PI;
  return r;
}
