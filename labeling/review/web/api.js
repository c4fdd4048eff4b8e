// The review server's JSON API. Every call throws an Error carrying the server's message and HTTP
// status when the request is refused, so the page can show the reviewer why.
async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : {'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get('Content-Type') || '';
  const payload = type.startsWith('application/json') ? await response.json() : null;
  if (!response.ok) {
    const error =
        new Error((payload && payload.error) || `${method} ${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return payload;
}

export const api = {
  stats: () => call('GET', '/api/stats'),
  tasks: (state) => call('GET', '/api/tasks' + (state ? `?state=${state}` : '')),
  task: (id) => call('GET', `/api/tasks/${id}`),
  frame: (id, index) => call('GET', `/api/tasks/${id}/frames/${index}`),
  claim: (reviewer) => call('POST', '/api/claim', {reviewer}),
  heartbeat: (claim_id, reviewer) => call('POST', '/api/heartbeat', {claim_id, reviewer}),
  release: (claim_id, reviewer) => call('POST', '/api/release', {claim_id, reviewer}),
  submit: (taskId, body) => call('POST', `/api/tasks/${taskId}/submit`, body),

  // x, y, z, intensity float32 quadruples in the vehicle frame.
  async points(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`points: HTTP ${response.status}`);
    return new Float32Array(await response.arrayBuffer());
  },
  async image(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`image: HTTP ${response.status}`);
    return createImageBitmap(await response.blob());
  },
};
