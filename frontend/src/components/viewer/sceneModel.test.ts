import { describe, expect, it } from "vitest";
import * as THREE from "three";
import { octahedronScene } from "../../test/fixtures";
import { BALL_SCALE, POLY_BALL_SCALE, drawSpec, groupSpheres, parseSupercell } from "./sceneModel";
import { buildThreeScene, featureEdges } from "./threeScene";

describe("drawSpec", () => {
  it("ball-and-stick draws every atom at a fraction of its covalent radius, and two-colour bonds", () => {
    const spec = drawSpec(octahedronScene(), "ball-and-stick");
    expect(spec.spheres).toHaveLength(7);
    expect(spec.spheres[0].radius).toBeCloseTo(1.6 * BALL_SCALE);
    // 6 bonds between drawn atoms plus one across the boundary
    expect(spec.bonds).toHaveLength(7);
    expect(spec.bonds[0]).toMatchObject({ a: 0, b: 1, colourA: "#bfc2c7", colourB: "#ff0d0d" });
    expect(spec.bonds[0].end).toEqual([2, 0, 0]);
    // the bond to an atom that is not drawn is a one-colour half bond to the midpoint
    const boundary = spec.bonds.find((b) => b.b === null)!;
    expect(boundary.start).toEqual([2, 0, 0]);
    expect(boundary.end).toEqual([3, 0, 0]);
    expect(boundary.colourB).toBe(boundary.colourA);
    expect(spec.polyhedra).toHaveLength(0);
    expect(spec.note).toBeNull();
  });

  it("space-filling uses the space-filling radii and draws no bonds", () => {
    const spec = drawSpec(octahedronScene(), "space-filling");
    expect(spec.bonds).toHaveLength(0);
    expect(spec.spheres.find((s) => s.element === "O")!.radius).toBeCloseTo(1.4);
  });

  it("polyhedral mode hides the centre atom and its bonds and keeps the polyhedron", () => {
    const spec = drawSpec(octahedronScene(), "polyhedra");
    expect(spec.polyhedra).toHaveLength(1);
    expect(spec.polyhedra[0].indices).toHaveLength(24);
    expect(spec.polyhedra[0].positions).toHaveLength(18);
    expect(spec.spheres.map((s) => s.element)).not.toContain("Ti");
    expect(spec.bonds).toHaveLength(1); // only the O bond that leaves the cell
  });

  it("polyhedral mode without polyhedra falls back to ball-and-stick with a note", () => {
    const scene = { ...octahedronScene(), polyhedra: [] };
    const spec = drawSpec(scene, "polyhedra");
    expect(spec.spheres).toHaveLength(7);
    expect(spec.note).toMatch(/no coordination polyhedra/i);
  });

  it("groups spheres per element so each element is one instanced mesh", () => {
    const groups = groupSpheres(drawSpec(octahedronScene(), "ball-and-stick").spheres);
    expect([...groups.values()].map((g) => g.length).sort()).toEqual([1, 6]);
  });
});

describe("buildThreeScene", () => {
  it("draws all atoms, all bond halves and all polyhedra in one call each, plus the cell", () => {
    const built = buildThreeScene(drawSpec(octahedronScene(), "polyhedra"));
    const names = built.group.children.map((c) => c.name);
    expect(names).toEqual(["atoms", "bonds", "polyhedra", "cell"]);
    const atoms = built.group.getObjectByName("atoms") as THREE.Mesh;
    const g = atoms.geometry;
    // one merged geometry (not hardware instancing): four corners and two triangles per atom
    expect(g).not.toBeInstanceOf(THREE.InstancedBufferGeometry);
    expect(g.getAttribute("position").count).toBe(6 * 4); // the Ti centre is hidden inside its octahedron
    expect(g.index!.count).toBe(6 * 6);
    expect(Array.from(g.getAttribute("center").array.slice(0, 12))).toEqual([2, 0, 0, 2, 0, 0, 2, 0, 0, 2, 0, 0]);
    expect(Array.from(g.getAttribute("center").array.slice(12, 15))).toEqual([-2, 0, 0]);
    expect(g.getAttribute("radius").array[0]).toBeCloseTo(0.66 * POLY_BALL_SCALE);
    expect(g.getAttribute("radius").array[3]).toBeCloseTo(0.66 * POLY_BALL_SCALE);
    // the quads index their own four corners
    expect(Array.from(g.index!.array.slice(6, 12))).toEqual([4, 5, 6, 4, 6, 7]);
    built.dispose();
  });

  it("gives each bond its start, end and two sRGB colours on all four corners", () => {
    const built = buildThreeScene(drawSpec(octahedronScene(), "ball-and-stick"));
    const bonds = built.group.getObjectByName("bonds") as THREE.Mesh;
    const g = bonds.geometry;
    expect(g.getAttribute("position").count).toBe(7 * 4);
    expect(g.index!.count).toBe(7 * 6);
    expect(Array.from(g.getAttribute("start").array.slice(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(g.getAttribute("end").array.slice(9, 12))).toEqual([2, 0, 0]);
    expect(Array.from(g.getAttribute("end").array.slice(12, 15))).toEqual([-2, 0, 0]);
    // #bfc2c7 (Ti) → #ff0d0d (O), as sRGB components
    expect(g.getAttribute("colorA").array[0]).toBeCloseTo(0xbf / 255);
    expect(g.getAttribute("colorA").array[2]).toBeCloseTo(0xc7 / 255);
    expect(g.getAttribute("colorB").array[1]).toBeCloseTo(0x0d / 255);
    expect(g.getAttribute("colorB").array[10]).toBeCloseTo(0x0d / 255);
    built.dispose();
  });

  it("draws polyhedra as one triangle list with face normals and their outer edges marked", () => {
    const built = buildThreeScene(drawSpec(octahedronScene(), "polyhedra"));
    const faces = built.group.getObjectByName("polyhedra") as THREE.Mesh;
    const g = faces.geometry;
    expect(g.getAttribute("position").count).toBe(8 * 3); // octahedron: 8 triangles
    const n = new THREE.Vector3().fromArray(g.getAttribute("faceNormal").array, 0);
    expect(n.length()).toBeCloseTo(1);
    // first face (0,2,4) = (2,0,0), (0,2,0), (0,0,2): normal along ±(1,1,1)
    expect(Math.abs(n.x)).toBeCloseTo(1 / Math.sqrt(3));
    // every octahedron edge is a real edge; each vertex has one barycentric 1
    expect(Array.from(g.getAttribute("edgeMask").array).every((x) => x === 1)).toBe(true);
    expect(Array.from(g.getAttribute("bary").array.slice(0, 9))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect((faces.material as THREE.ShaderMaterial).transparent).toBe(true);
    built.dispose();
  });

  it("does not outline the diagonal of a flat quadrilateral face", () => {
    // a square split into two triangles, folded up along x = 1 into a roof
    const positions = Float32Array.from([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 2, 0, 1, 2, 1, 1]);
    const flat = featureEdges(positions, [0, 1, 2, 0, 2, 3]);
    // the shared diagonal 0-2 is opposite vertex 1 in the first triangle, vertex 2 in the second
    expect(flat).toEqual([
      [1, 0, 1],
      [1, 1, 0],
    ]);
    const folded = featureEdges(positions, [0, 1, 2, 1, 4, 5, 1, 5, 2]);
    // edge 1-2 joins the flat square half and the tilted roof: an edge
    expect(folded[0][0]).toBe(1);
    // the roof's own diagonal 1-5 is flat: no edge
    expect(folded[1][1]).toBe(0);
    expect(folded[2][2]).toBe(0);
  });

  it("picks the nearest atom along a ray, and nothing when the ray misses", () => {
    const built = buildThreeScene(drawSpec(octahedronScene(), "ball-and-stick"));
    const down = new THREE.Vector3(0, 0, -1);
    // from above: the O at (0,0,2) is in front of the Ti at the origin
    expect(built.pick(new THREE.Ray(new THREE.Vector3(0, 0, 10), down))).toBe(5);
    expect(built.pick(new THREE.Ray(new THREE.Vector3(2, 0, 10), down))).toBe(1);
    expect(built.pick(new THREE.Ray(new THREE.Vector3(1, 1, 10), down))).toBeNull();
    // still right after the model is rotated
    built.group.rotation.z = Math.PI / 2;
    expect(built.pick(new THREE.Ray(new THREE.Vector3(0, 2, 10), down))).toBe(1);
  });
});

describe("parseSupercell", () => {
  it("accepts three repeats of 1..3 and rejects anything else", () => {
    expect(parseSupercell("2,2,2")).toEqual([2, 2, 2]);
    expect(parseSupercell(" 1, 3 ,2")).toEqual([1, 3, 2]);
    expect(parseSupercell("4,1,1")).toBeNull();
    expect(parseSupercell("1,1")).toBeNull();
    expect(parseSupercell("a,b,c")).toBeNull();
  });
});
