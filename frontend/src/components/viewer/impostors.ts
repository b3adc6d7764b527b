/**
 * Impostor geometry: each sphere is one camera-facing quad whose fragment shader ray-casts
 * an exact sphere (correct depth and shading), and each bond is one camera-facing ribbon
 * shaded like a cylinder, coloured half and half. Two triangles per object instead of hundreds keeps a
 * 500-atom cell fluid even on software WebGL.
 */
import * as THREE from "three";

const LIGHT = /* glsl */ `
  vec3 shade(vec3 base, vec3 n, vec3 viewDir) {
    vec3 l = normalize(vec3(0.35, 0.45, 1.0));
    float diff = max(dot(n, l), 0.0);
    float spec = pow(max(dot(n, normalize(l + viewDir)), 0.0), 40.0);
    return base * (0.38 + 0.68 * diff) + vec3(0.28) * spec;
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
    vec4 c = modelViewMatrix * vec4(center, 1.0);
    // quad in front of the sphere, large enough to cover its perspective silhouette
    vec3 front = c.xyz + normalize(-c.xyz) * radius;
    float grow = length(front) > radius ? 1.0 + radius / length(front) : 2.0;
    vec3 p = front + vec3(position.xy * radius * grow * 1.08, 0.0);
    vCenter = c.xyz;
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
    float t = b - sqrt(disc);
    vec3 hit = dir * t;
    vec3 n = normalize(hit - vCenter);
    vec4 clip = projectionMatrix * vec4(hit, 1.0);
    gl_FragDepth = 0.5 * (clip.z / clip.w) + 0.5;
    gl_FragColor = vec4(shade(vColor, n, -dir), 1.0);
    #include <colorspace_fragment>
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
    #include <colorspace_fragment>
  }
`;

export interface SphereData {
  centers: Float32Array;
  radii: Float32Array;
  colors: Float32Array;
}

/** One draw call for all spheres. */
export function sphereImpostors(data: SphereData): THREE.Mesh {
  const g = new THREE.InstancedBufferGeometry();
  g.setAttribute(
    "position",
    new THREE.Float32BufferAttribute([-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0], 3),
  );
  g.setIndex([0, 1, 2, 0, 2, 3]);
  g.setAttribute("center", new THREE.InstancedBufferAttribute(data.centers, 3));
  g.setAttribute("radius", new THREE.InstancedBufferAttribute(data.radii, 1));
  g.setAttribute("color", new THREE.InstancedBufferAttribute(data.colors, 3));
  g.instanceCount = data.radii.length;
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

/** One draw call for all bonds (two colours each). */
export function bondImpostors(data: BondData, radius: number): THREE.Mesh {
  const g = new THREE.InstancedBufferGeometry();
  g.setAttribute(
    "position",
    new THREE.Float32BufferAttribute([0, -1, 0, 1, -1, 0, 1, 1, 0, 0, 1, 0], 3),
  );
  g.setIndex([0, 1, 2, 0, 2, 3]);
  g.setAttribute("start", new THREE.InstancedBufferAttribute(data.starts, 3));
  g.setAttribute("end", new THREE.InstancedBufferAttribute(data.ends, 3));
  g.setAttribute("colorA", new THREE.InstancedBufferAttribute(data.colorsA, 3));
  g.setAttribute("colorB", new THREE.InstancedBufferAttribute(data.colorsB, 3));
  g.instanceCount = data.colorsA.length / 3;
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
