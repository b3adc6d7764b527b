import { describe, expect, it } from "vitest";
import { niceTicks, overlaps, placeLabels, project, tetrahedron, triangle } from "./geometry";

describe("plot geometry", () => {
  it("gives round ticks", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-3.2, 0.1, 4)).toEqual([-3, -2, -1, 0]);
  });

  it("places labels without overlap and drops what does not fit", () => {
    // twelve phases crowded at nearly the same spot (the overlapping labels)
    const reqs = Array.from({ length: 12 }, (_, i) => ({ key: `p${i}`, text: `Fe${i}O${i + 1}`, x: 100 + i, y: 100 }));
    const placed = placeLabels(reqs, { x: 0, y: 0, w: 300, h: 200 }, reqs);
    expect(placed.length).toBeGreaterThan(1);
    expect(placed.length).toBeLessThan(12);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) expect(overlaps(placed[i].box, placed[j].box)).toBe(false);
    }
  });

  it("projects the simplex corners", () => {
    expect(triangle([0, 1, 0])).toEqual([1, 0]);
    expect(tetrahedron([0, 0, 0, 1])[2]).toBeCloseTo(Math.sqrt(2 / 3));
    // turning by 360° is the identity
    const p = tetrahedron([0.1, 0.2, 0.3, 0.4]);
    const a = project(p, 30, 20);
    const b = project(p, 390, 20);
    expect(a.x).toBeCloseTo(b.x);
    expect(a.y).toBeCloseTo(b.y);
  });
});
