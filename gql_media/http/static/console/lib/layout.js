// A layered drawing of a directed graph, left to right (the Sugiyama recipe cut
// short): each node's layer is its longest path from a source, nodes within a
// layer are ordered by the mean position of their neighbours (a few sweeps, to
// uncross edges), then stacked and centred. Enough for workflow graphs of tens
// of nodes; no library needed.

const SWEEPS = 4;

/**
 * Lay out `ids` (in their given order) joined by `edges` ([from, to] pairs).
 * `size(id)` gives a node's {width, height}. Returns {boxes: Map id -> {x, y,
 * width, height, layer}, width, height}.
 */
export function layered(ids, edges, size, { gapX = 72, gapY = 24, margin = 16 } = {}) {
  const known = new Set(ids);
  const links = edges.filter(([a, b]) => a !== b && known.has(a) && known.has(b));
  const layer = layers(ids, links);
  const rows = [];
  for (const id of ids) (rows[layer.get(id)] ||= []).push(id);
  for (let n = 0; n < rows.length; n += 1) rows[n] ||= [];
  order(rows, links);

  const sizes = new Map(ids.map((id) => [id, size(id)]));
  const columnWidth = rows.map((row) => Math.max(0, ...row.map((id) => sizes.get(id).width)));
  const columnHeight = rows.map(
    (row) => row.reduce((sum, id) => sum + sizes.get(id).height, 0) + gapY * (row.length - 1),
  );
  const tallest = Math.max(0, ...columnHeight);
  const boxes = new Map();
  let x = margin;
  rows.forEach((row, n) => {
    let y = margin + (tallest - columnHeight[n]) / 2;
    for (const id of row) {
      const { width, height } = sizes.get(id);
      boxes.set(id, { x, y, width, height, layer: n });
      y += height + gapY;
    }
    x += columnWidth[n] + gapX;
  });
  const width = rows.length ? x - gapX + margin : 2 * margin;
  return { boxes, width, height: tallest + 2 * margin };
}

/** Longest path from a source; nodes caught in a cycle (a draft) go after. */
function layers(ids, links) {
  const incoming = new Map(ids.map((id) => [id, 0]));
  const next = new Map(ids.map((id) => [id, []]));
  for (const [a, b] of links) {
    incoming.set(b, incoming.get(b) + 1);
    next.get(a).push(b);
  }
  const layer = new Map(ids.map((id) => [id, 0]));
  const ready = ids.filter((id) => incoming.get(id) === 0);
  const done = new Set();
  const visit = (id) => {
    done.add(id);
    for (const b of next.get(id)) {
      if (done.has(b)) continue; // an edge back into a cycle
      layer.set(b, Math.max(layer.get(b), layer.get(id) + 1));
      incoming.set(b, incoming.get(b) - 1);
      if (incoming.get(b) === 0) ready.push(b);
    }
  };
  while (ready.length) visit(ready.shift());
  // A cycle never empties its nodes' counts: take them in the given order.
  for (const id of ids) {
    if (!done.has(id)) {
      visit(id);
      while (ready.length) visit(ready.shift());
    }
  }
  return layer;
}

/** Reorder each layer by the mean index of its neighbours, down then up. */
function order(rows, links) {
  const index = new Map();
  const place = () => rows.forEach((row) => row.forEach((id, n) => index.set(id, n)));
  const before = new Map();
  const after = new Map();
  for (const [a, b] of links) {
    (before.get(b) || before.set(b, []).get(b)).push(a);
    (after.get(a) || after.set(a, []).get(a)).push(b);
  }
  const sortBy = (row, neighbours) => {
    const key = new Map(
      row.map((id, n) => {
        const near = (neighbours.get(id) || []).filter((other) => index.has(other));
        const mean = near.length
          ? near.reduce((sum, other) => sum + index.get(other), 0) / near.length
          : n;
        return [id, mean];
      }),
    );
    // Stable: equal keys keep their order.
    row.sort((a, b) => key.get(a) - key.get(b));
  };
  place();
  for (let sweep = 0; sweep < SWEEPS; sweep += 1) {
    const down = sweep % 2 === 0;
    const range = rows.map((_, n) => n);
    if (!down) range.reverse();
    for (const n of range.slice(1)) {
      sortBy(rows[n], down ? before : after);
      rows[n].forEach((id, i) => index.set(id, i));
    }
  }
}
