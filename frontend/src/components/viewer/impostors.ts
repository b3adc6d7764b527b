/**
 * Impostor geometry: each sphere is one camera-facing quad whose fragment shader ray-casts
 * an exact sphere (correct depth and shading), and each bond is one camera-facing ribbon
 * shaded like a cylinder, coloured half and half. Two triangles per object instead of
 * hundreds, all objects of a kind in one merged geometry and one draw call, keeps a
 * 500-atom cell fluid even on software WebGL.
 *
 * Colours passed in are sRGB components (see `srgb`).
 */
import * as THREE from "three";

/**
 * Lighting shared by the shaders. Colours arrive in sRGB and the result is written
 * without a colour-space conversion (the classic look of molecular viewers, and several
 * `pow` calls per pixel cheaper on a software renderer); the specular power is built by
 * squaring instead of `pow`.
 */
const LIGHT = /* glsl */ `
  vec3 shade(vec3 base, vec3 n, vec3 viewDir) {
    vec3 l = normalize(vec3(0.35, 0.45, 1.0));
    float diff = max(dot(n, l), 0.0);
    float h = max(dot(n, normalize(l + viewDir)), 0.0);
    float h2 = h * h;
    float h4 = h2 * h2;
    float h8 = h4 * h4;
    float h16 = h8 * h8;
    float spec = h16 * h16 * h8; // h^40
    return base * (0.64 + 0.39 * diff) + vec3(0.3) * spec;
  }
`;

const SPHERE_VERTEX = /* glsl */ `
  attribute vec3 center;
  attribute float radius;
  attribute vec3 color;
  varying vec3 vCenter;
  varying vec3 vPos;
  varying float vRadius;
  varying vec3 vColor;
  void main() {
    vec3 c = (modelViewMatrix * vec4(center, 1.0)).xyz;
    float d = length(c);
    vec3 p;
    if (d > radius * 1.001) {
      // a quad facing the camera through the sphere's front point, just covering the
      // silhouette (radius of the cone of sight lines there: r * sqrt((d - r) / (d + r)))
      vec3 dir = c / d;
      vec3 side = abs(dir.y) < 0.99 ? normalize(cross(dir, vec3(0.0, 1.0, 0.0))) : vec3(1.0, 0.0, 0.0);
      vec3 up = cross(side, dir);
      float s = radius * sqrt((d - radius) / (d + radius)) * 1.02;
      p = dir * (d - radius) + (side * position.x + up * position.y) * s;
    } else {
      // the camera is inside the sphere: cover the view
      p = vec3(position.xy * 1e3, -1.0);
    }
    vCenter = c;
    vPos = p;
    vRadius = radius;
    vColor = color;
    gl_Position = projectionMatrix * vec4(p, 1.0);
  }
`;

const SPHERE_FRAGMENT = /* glsl */ `
  uniform mat4 projectionMatrix; // three declares it for vertex shaders only
  varying vec3 vCenter;
  varying vec3 vPos;
  varying float vRadius;
  varying vec3 vColor;
  ${LIGHT}
  void main() {
    vec3 dir = normalize(vPos);
    float b = dot(dir, vCenter);
    float c = dot(vCenter, vCenter) - vRadius * vRadius;
    float disc = b * b - c;
    if (disc < 0.0) discard;
    vec3 hit = dir * (b - sqrt(disc));
    vec3 n = (hit - vCenter) / vRadius;
    vec4 clip = projectionMatrix * vec4(hit, 1.0);
    gl_FragDepth = 0.5 * (clip.z / clip.w) + 0.5;
    gl_FragColor = vec4(shade(vColor, n, -dir), 1.0);
  }
`;

const BOND_VERTEX = /* glsl */ `
  attribute vec3 start;
  attribute vec3 end;
  attribute vec3 colorA;
  attribute vec3 colorB;
  uniform float bondRadius;
  varying float vAcross;
  varying float vAlong;
  varying vec3 vColorA;
  varying vec3 vColorB;
  varying vec3 vSide;
  varying vec3 vView;
  void main() {
    vec3 a = (modelViewMatrix * vec4(start, 1.0)).xyz;
    vec3 b = (modelViewMatrix * vec4(end, 1.0)).xyz;
    vec3 p = mix(a, b, position.x);
    vec3 view = normalize(-p);
    vec3 side = cross(b - a, view);
    side = length(side) > 1e-6 ? normalize(side) : vec3(1.0, 0.0, 0.0);
    p += side * position.y * bondRadius;
    vAcross = position.y;
    vAlong = position.x;
    vColorA = colorA;
    vColorB = colorB;
    vSide = side;
    vView = view;
    gl_Position = projectionMatrix * vec4(p, 1.0);
  }
`;

const BOND_FRAGMENT = /* glsl */ `
  varying float vAcross;
  varying float vAlong;
  varying vec3 vColorA;
  varying vec3 vColorB;
  varying vec3 vSide;
  varying vec3 vView;
  ${LIGHT}
  void main() {
    float y = clamp(vAcross, -1.0, 1.0);
    vec3 n = normalize(vSide * y + vView * sqrt(1.0 - y * y));
    vec3 base = vAlong < 0.5 ? vColorA : vColorB;
    gl_FragColor = vec4(shade(base, n, vView), 1.0);
  }
`;

/** sRGB components of a CSS colour, as the shaders expect them. */
export function srgb(colour: string, target: Float32Array, offset: number): void {
  const c = new THREE.Color(colour);
  const rgb = { r: 0, g: 0, b: 0 };
  c.getRGB(rgb, THREE.SRGBColorSpace);
  target[offset] = rgb.r;
  target[offset + 1] = rgb.g;
  target[offset + 2] = rgb.b;
}

export interface SphereData {
  centers: Float32Array;
  radii: Float32Array;
  colors: Float32Array;
}

/** Corners of a quad (x, y), four per object; triangles 0-1-2 and 0-2-3. */
function quadGeometry(count: number, corners: readonly number[]): THREE.BufferGeometry {
  const g = new THREE.BufferGeometry();
  const position = new Float32Array(12 * count);
  const index = 4 * count > 65535 ? new Uint32Array(6 * count) : new Uint16Array(6 * count);
  for (let i = 0; i < count; i++) {
    position.set(corners, 12 * i);
    const v = 4 * i;
    index.set([v, v + 1, v + 2, v, v + 2, v + 3], 6 * i);
  }
  g.setAttribute("position", new THREE.BufferAttribute(position, 3));
  g.setIndex(new THREE.BufferAttribute(index, 1));
  return g;
}

/** Repeat each object's `size` values for its four quad corners. */
function perCorner(values: Float32Array, size: number): THREE.BufferAttribute {
  const count = values.length / size;
  const out = new Float32Array(4 * values.length);
  for (let i = 0; i < count; i++) {
    const item = values.subarray(size * i, size * (i + 1));
    for (let k = 0; k < 4; k++) out.set(item, size * (4 * i + k));
  }
  return new THREE.BufferAttribute(out, size);
}

const SPHERE_CORNERS = [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0] as const;
const BOND_CORNERS = [0, -1, 0, 1, -1, 0, 1, 1, 0, 0, 1, 0] as const;

/**
 * One draw call for all spheres: one merged geometry of quads (four vertices each, the
 * sphere's attributes repeated per vertex). Not hardware instancing: software WebGL
 * (SwiftShader) runs an instanced draw as one small draw per instance, which cost more
 * than the drawing itself for hundreds of atoms.
 */
export function sphereImpostors(data: SphereData): THREE.Mesh {
  const g = quadGeometry(data.radii.length, SPHERE_CORNERS);
  g.setAttribute("center", perCorner(data.centers, 3));
  g.setAttribute("radius", perCorner(data.radii, 1));
  g.setAttribute("color", perCorner(data.colors, 3));
  const mesh = new THREE.Mesh(
    g,
    new THREE.ShaderMaterial({ vertexShader: SPHERE_VERTEX, fragmentShader: SPHERE_FRAGMENT }),
  );
  mesh.frustumCulled = false;
  return mesh;
}

export interface BondData {
  starts: Float32Array;
  ends: Float32Array;
  colorsA: Float32Array;
  colorsB: Float32Array;
}

/** One draw call for all bonds (two colours each), merged like the spheres. */
export function bondImpostors(data: BondData, radius: number): THREE.Mesh {
  const g = quadGeometry(data.colorsA.length / 3, BOND_CORNERS);
  g.setAttribute("start", perCorner(data.starts, 3));
  g.setAttribute("end", perCorner(data.ends, 3));
  g.setAttribute("colorA", perCorner(data.colorsA, 3));
  g.setAttribute("colorB", perCorner(data.colorsB, 3));
  const mesh = new THREE.Mesh(
    g,
    new THREE.ShaderMaterial({
      vertexShader: BOND_VERTEX,
      fragmentShader: BOND_FRAGMENT,
      uniforms: { bondRadius: { value: radius } },
      side: THREE.DoubleSide,
    }),
  );
  mesh.frustumCulled = false;
  return mesh;
}

/** Nearest sphere hit by a ray (world space); returns its index or -1. */
export function pickSphere(
  ray: THREE.Ray,
  centers: Float32Array,
  radii: Float32Array,
): number {
  let best = -1;
  let bestT = Infinity;
  const c = new THREE.Vector3();
  const oc = new THREE.Vector3();
  for (let i = 0; i < radii.length; i++) {
    c.set(centers[3 * i], centers[3 * i + 1], centers[3 * i + 2]);
    oc.subVectors(ray.origin, c);
    const b = oc.dot(ray.direction);
    const disc = b * b - (oc.lengthSq() - radii[i] * radii[i]);
    if (disc < 0) continue;
    const t = -b - Math.sqrt(disc);
    if (t > 0 && t < bestT) {
      bestT = t;
      best = i;
    }
  }
  return best;
}
