/**
 * Build Three.js objects from a DrawSpec: all atoms in one impostor draw call, all bond
 * halves in another, polyhedra as one translucent mesh plus one set of edge lines, the
 * cell as lines: at most six draw calls whatever the size of the cell.
 */
import * as THREE from "three";
import { bondImpostors, pickSphere, sphereImpostors, srgb } from "./impostors";
import type { DrawSpec } from "./sceneModel";
import { BOND_RADIUS } from "./sceneModel";

export interface BuiltScene {
  group: THREE.Group;
  /** Index into the scene's atoms of the sphere hit by a world-space ray, or null. */
  pick: (ray: THREE.Ray) => number | null;
  dispose: () => void;
}

const POLY_VERTEX = /* glsl */ `
  attribute vec3 color;
  attribute vec3 faceNormal;
  attribute vec3 bary;
  attribute vec3 edgeMask;
  varying vec3 vColor;
  varying vec3 vBary;
  varying vec3 vEdgeMask;
  void main() {
    // flat faces: light each vertex with its face's normal (both sides lit alike)
    vec3 n = normalize(normalMatrix * faceNormal);
    vec3 l = normalize(vec3(0.35, 0.45, 1.0));
    vColor = color * (0.62 + 0.45 * abs(dot(n, l)));
    vBary = bary;
    vEdgeMask = edgeMask;
    gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  }
`;

// Polyhedron edges drawn by the face shader itself (distance to the triangle's edges
// from barycentric coordinates), instead of thousands of line primitives.
const POLY_FRAGMENT = /* glsl */ `
  uniform float opacity;
  varying vec3 vColor;
  varying vec3 vBary;
  varying vec3 vEdgeMask;
  void main() {
    vec3 px = vBary / max(fwidth(vBary), vec3(1e-6)); // distance to each edge in pixels
    px += (1.0 - vEdgeMask) * 1e4; // only edges between faces that meet at an angle
    float line = 1.0 - clamp(min(min(px.x, px.y), px.z) - 0.4, 0.0, 1.0);
    gl_FragColor = vec4(mix(vColor, vec3(0.2), 0.75 * line), mix(opacity, 0.9, line));
  }
`;

export const POLYHEDRA_OPACITY = 0.75;
/** Edges between faces meeting at less than this angle (degrees) are not drawn. */
const EDGE_ANGLE = 10;

/** Per triangle, which of its edges (opposite vertex 0, 1, 2) are polyhedron edges. */
export function featureEdges(positions: Float32Array, indices: number[]): number[][] {
  const normal = (t: number) => {
    const [a, b, c] = [0, 1, 2].map((k) => new THREE.Vector3().fromArray(positions, 3 * indices[t + k]));
    return b.sub(a).cross(c.sub(a)).normalize();
  };
  const normals: THREE.Vector3[] = [];
  const byEdge = new Map<string, number[]>();
  for (let t = 0; t + 2 < indices.length; t += 3) {
    normals.push(normal(t));
    for (let k = 0; k < 3; k++) {
      const i = indices[t + ((k + 1) % 3)];
      const j = indices[t + ((k + 2) % 3)];
      const key = i < j ? `${i}-${j}` : `${j}-${i}`;
      const list = byEdge.get(key);
      if (list) list.push(t / 3);
      else byEdge.set(key, [t / 3]);
    }
  }
  const cos = Math.cos(THREE.MathUtils.degToRad(EDGE_ANGLE));
  return normals.map((_, f) =>
    [0, 1, 2].map((k) => {
      const i = indices[3 * f + ((k + 1) % 3)];
      const j = indices[3 * f + ((k + 2) % 3)];
      const faces = byEdge.get(i < j ? `${i}-${j}` : `${j}-${i}`) ?? [];
      if (faces.length !== 2) return 1;
      // normals may face either way: compare the planes, not the directions
      return Math.abs(normals[faces[0]].dot(normals[faces[1]])) < cos ? 1 : 0;
    }),
  );
}

/**
 * All polyhedra as one translucent mesh: per-vertex face normals and sRGB colours,
 * lighting per vertex, edges drawn in the same pass, so each polyhedron costs a few
 * triangles and each pixel almost nothing.
 */
function polyhedraMesh(spec: DrawSpec): THREE.Object3D[] {
  if (spec.polyhedra.length === 0) return [];
  const nv = spec.polyhedra.reduce((s, p) => s + p.indices.length, 0);
  const positions = new Float32Array(3 * nv);
  const normals = new Float32Array(3 * nv);
  const colours = new Float32Array(3 * nv);
  const bary = new Float32Array(3 * nv);
  const masks = new Float32Array(3 * nv);
  const rgb = new Float32Array(3);
  const a = new THREE.Vector3();
  const b = new THREE.Vector3();
  const c = new THREE.Vector3();
  let v = 0;
  for (const p of spec.polyhedra) {
    srgb(p.colour, rgb, 0);
    const edges = featureEdges(p.positions, p.indices);
    for (let t = 0; t + 2 < p.indices.length; t += 3) {
      a.fromArray(p.positions, 3 * p.indices[t]);
      b.fromArray(p.positions, 3 * p.indices[t + 1]);
      c.fromArray(p.positions, 3 * p.indices[t + 2]);
      const n = c.sub(a).cross(b.sub(a)).normalize();
      for (let k = 0; k < 3; k++) {
        const src = 3 * p.indices[t + k];
        positions.set(p.positions.subarray(src, src + 3), 3 * v);
        normals.set([n.x, n.y, n.z], 3 * v);
        colours.set(rgb, 3 * v);
        bary[3 * v + k] = 1;
        masks.set(edges[t / 3], 3 * v);
        v += 1;
      }
    }
  }
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute("position", new THREE.BufferAttribute(positions, 3));
  geometry.setAttribute("faceNormal", new THREE.BufferAttribute(normals, 3));
  geometry.setAttribute("color", new THREE.BufferAttribute(colours, 3));
  geometry.setAttribute("bary", new THREE.BufferAttribute(bary, 3));
  geometry.setAttribute("edgeMask", new THREE.BufferAttribute(masks, 3));
  const material = new THREE.ShaderMaterial({
    vertexShader: POLY_VERTEX,
    fragmentShader: POLY_FRAGMENT,
    uniforms: { opacity: { value: POLYHEDRA_OPACITY } },
    transparent: true,
    side: THREE.DoubleSide,
    depthWrite: false,
  });
  // back and front faces in one pass (three would otherwise draw double-sided
  // transparent meshes twice)
  material.forceSinglePass = true;
  const faces = new THREE.Mesh(geometry, material);
  faces.name = "polyhedra";
  faces.frustumCulled = false;
  return [faces];
}

/** Build the drawable objects for a spec. */
export function buildThreeScene(spec: DrawSpec): BuiltScene {
  const group = new THREE.Group();

  const n = spec.spheres.length;
  const centers = new Float32Array(3 * n);
  const radii = new Float32Array(n);
  const colors = new Float32Array(3 * n);
  spec.spheres.forEach((s, i) => {
    centers.set(s.position, 3 * i);
    radii[i] = s.radius;
    srgb(s.colour, colors, 3 * i);
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
      srgb(b.colourA, colorsA, 3 * i);
      srgb(b.colourB, colorsB, 3 * i);
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
