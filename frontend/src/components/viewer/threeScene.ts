/**
 * Build Three.js objects from a DrawSpec: all atoms in one impostor draw call, all bond
 * halves in another, polyhedra as one translucent mesh, the cell as lines.
 */
import * as THREE from "three";
import { bondImpostors, pickSphere, sphereImpostors } from "./impostors";
import type { DrawSpec } from "./sceneModel";
import { BOND_RADIUS } from "./sceneModel";

export interface BuiltScene {
  group: THREE.Group;
  /** Index into the scene's atoms of the sphere hit by a world-space ray, or null. */
  pick: (ray: THREE.Ray) => number | null;
  dispose: () => void;
}

function polyhedraMesh(spec: DrawSpec): THREE.Object3D[] {
  if (spec.polyhedra.length === 0) return [];
  const positions: number[] = [];
  const colours: number[] = [];
  const c = new THREE.Color();
  for (const p of spec.polyhedra) {
    c.set(p.colour);
    for (const idx of p.indices) {
      positions.push(p.positions[3 * idx], p.positions[3 * idx + 1], p.positions[3 * idx + 2]);
      colours.push(c.r, c.g, c.b);
    }
  }
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute("position", new THREE.Float32BufferAttribute(positions, 3));
  geometry.setAttribute("color", new THREE.Float32BufferAttribute(colours, 3));
  geometry.computeVertexNormals();
  const faces = new THREE.Mesh(
    geometry,
    new THREE.MeshPhongMaterial({
      vertexColors: true,
      transparent: true,
      opacity: 0.75,
      side: THREE.DoubleSide,
      flatShading: true,
      depthWrite: false,
    }),
  );
  faces.name = "polyhedra";
  const edges = new THREE.LineSegments(
    new THREE.EdgesGeometry(geometry, 10),
    new THREE.LineBasicMaterial({ color: 0x333333, transparent: true, opacity: 0.6 }),
  );
  edges.name = "polyhedra-edges";
  return [faces, edges];
}

/** Build the drawable objects for a spec. */
export function buildThreeScene(spec: DrawSpec): BuiltScene {
  const group = new THREE.Group();
  const col = new THREE.Color();

  const n = spec.spheres.length;
  const centers = new Float32Array(3 * n);
  const radii = new Float32Array(n);
  const colors = new Float32Array(3 * n);
  spec.spheres.forEach((s, i) => {
    centers.set(s.position, 3 * i);
    radii[i] = s.radius;
    col.set(s.colour);
    colors.set([col.r, col.g, col.b], 3 * i);
  });
  if (n > 0) {
    const atoms = sphereImpostors({ centers, radii, colors });
    atoms.name = "atoms";
    atoms.userData.atoms = spec.spheres.map((s) => s.atom);
    group.add(atoms);
  }

  const m = spec.bonds.length;
  if (m > 0) {
    const starts = new Float32Array(3 * m);
    const ends = new Float32Array(3 * m);
    const colorsA = new Float32Array(3 * m);
    const colorsB = new Float32Array(3 * m);
    spec.bonds.forEach((b, i) => {
      starts.set(b.start, 3 * i);
      ends.set(b.end, 3 * i);
      col.set(b.colourA);
      colorsA.set([col.r, col.g, col.b], 3 * i);
      col.set(b.colourB);
      colorsB.set([col.r, col.g, col.b], 3 * i);
    });
    const bonds = bondImpostors({ starts, ends, colorsA, colorsB }, BOND_RADIUS);
    bonds.name = "bonds";
    group.add(bonds);
  }
  for (const obj of polyhedraMesh(spec)) group.add(obj);

  const cell = new THREE.BufferGeometry();
  cell.setAttribute(
    "position",
    new THREE.Float32BufferAttribute(spec.cellEdges.flatMap(([a, b]) => [...a, ...b]), 3),
  );
  const cellLines = new THREE.LineSegments(cell, new THREE.LineBasicMaterial({ color: 0x222222 }));
  cellLines.name = "cell";
  group.add(cellLines);

  const inverse = new THREE.Matrix4();
  const pick = (ray: THREE.Ray): number | null => {
    // the group may be rotated (benchmark spin): test in the group's frame
    group.updateMatrixWorld();
    inverse.copy(group.matrixWorld).invert();
    const local = ray.clone().applyMatrix4(inverse);
    const i = pickSphere(local, centers, radii);
    return i >= 0 ? spec.spheres[i].atom : null;
  };

  const dispose = () => {
    group.traverse((o) => {
      const mesh = o as THREE.Mesh;
      mesh.geometry?.dispose();
      const mat = mesh.material as THREE.Material | THREE.Material[] | undefined;
      if (Array.isArray(mat)) mat.forEach((x) => x.dispose());
      else mat?.dispose();
    });
  };
  return { group, pick, dispose };
}
