/**
 * WebGL crystal viewer: draws the server's scene with Three.js, orbit/zoom with the
 * mouse or keyboard (arrows rotate, +/- zoom), click an atom to inspect it.
 */
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef } from "react";
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import type { Scene } from "../../client/api";
import { drawSpec, type ViewMode } from "./sceneModel";
import { buildThreeScene } from "./threeScene";

export interface ViewerHandle {
  resetView: () => void;
  /** PNG of the current view as a data URL. */
  toPNG: () => string;
}

interface Props {
  scene: Scene;
  mode: ViewMode;
  selected: number | null;
  onSelect: (atom: number | null) => void;
  label: string;
}

export const BACKGROUND = 0xffffff;
/** Above this many atoms the canvas is drawn without multisample anti-aliasing. */
export const ANTIALIAS_MAX_ATOMS = 250;

declare global {
  interface Window {
    /** Test/benchmark hook: rotate for `ms` and report rendered frames per second. */
    __matdiscoverViewer?: {
      spin: (ms: number) => Promise<{ frames: number; seconds: number; fps: number }>;
      atoms: number;
      mode: ViewMode;
      renders: number;
      /** The drawn objects, by name (atoms-<El>, bonds, polyhedra, cell). */
      objects: () => Record<string, { visible: boolean }>;
    };
  }
}

export const CrystalViewer = forwardRef<ViewerHandle, Props>(function CrystalViewer(
  { scene, mode, selected, onSelect, label },
  ref,
) {
  const hostRef = useRef<HTMLDivElement>(null);
  const state = useRef<{
    renderer: THREE.WebGLRenderer;
    camera: THREE.PerspectiveCamera;
    controls: OrbitControls;
    root: THREE.Scene;
    render: () => void;
    home: () => void;
    pick: (ray: THREE.Ray) => number | null;
    highlight: THREE.Mesh;
    renders: number;
  } | null>(null);
  const spec = useMemo(() => drawSpec(scene, mode), [scene, mode]);

  // one renderer per mounted viewer
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let renderer: THREE.WebGLRenderer;
    try {
      // multisampling costs most on software renderers; big cells go without it
      renderer = new THREE.WebGLRenderer({
        antialias: scene.atoms.length <= ANTIALIAS_MAX_ATOMS,
        preserveDrawingBuffer: true,
      });
    } catch {
      host.textContent = "3D view unavailable: this browser has WebGL switched off.";
      return;
    }
    renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    renderer.setClearColor(BACKGROUND, 1);
    const canvas = renderer.domElement;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label);
    canvas.tabIndex = 0;
    canvas.dataset.testid = "viewer-canvas";
    host.appendChild(canvas);

    const camera = new THREE.PerspectiveCamera(30, 1, 0.1, 5000);
    const root = new THREE.Scene();
    root.add(new THREE.AmbientLight(0xffffff, 1.1));
    const headlight = new THREE.DirectionalLight(0xffffff, 1.8);
    headlight.position.set(1, 1, 2);
    camera.add(headlight);
    root.add(camera);
    const controls = new OrbitControls(camera, canvas);
    controls.enableDamping = false;

    const highlight = new THREE.Mesh(
      new THREE.SphereGeometry(1, 16, 12),
      new THREE.MeshBasicMaterial({ color: 0xffa500, wireframe: true }),
    );
    highlight.visible = false;
    root.add(highlight);

    let frame = 0;
    const s = {
      renderer,
      camera,
      controls,
      root,
      pick: (() => null) as (ray: THREE.Ray) => number | null,
      highlight,
      renders: 0,
      render: () => {
        if (frame) return;
        frame = requestAnimationFrame(() => {
          frame = 0;
          renderer.render(root, camera);
          s.renders += 1;
        });
      },
      home: () => undefined as void,
    };
    state.current = s;
    controls.addEventListener("change", s.render);

    const resize = () => {
      const w = host.clientWidth || 600;
      const h = host.clientHeight || 420;
      renderer.setSize(w, h, false);
      canvas.style.width = "100%";
      canvas.style.height = "100%";
      camera.aspect = w / h;
      camera.updateProjectionMatrix();
      s.render();
    };
    const observer = new ResizeObserver(resize);
    observer.observe(host);
    resize();

    // keyboard: arrows rotate about the target, +/- zoom
    const onKey = (e: KeyboardEvent) => {
      const offset = camera.position.clone().sub(controls.target);
      const sph = new THREE.Spherical().setFromVector3(offset);
      const step = Math.PI / 24;
      if (e.key === "ArrowLeft") sph.theta -= step;
      else if (e.key === "ArrowRight") sph.theta += step;
      else if (e.key === "ArrowUp") sph.phi = Math.max(0.05, sph.phi - step);
      else if (e.key === "ArrowDown") sph.phi = Math.min(Math.PI - 0.05, sph.phi + step);
      else if (e.key === "+" || e.key === "=") sph.radius *= 0.9;
      else if (e.key === "-") sph.radius *= 1.1;
      else return;
      e.preventDefault();
      camera.position.copy(controls.target).add(new THREE.Vector3().setFromSpherical(sph));
      controls.update();
      s.render();
    };
    canvas.addEventListener("keydown", onKey);

    // click (not drag) to pick an atom
    let down: [number, number] | null = null;
    const onDown = (e: PointerEvent) => {
      down = [e.clientX, e.clientY];
    };
    const onUp = (e: PointerEvent) => {
      if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
      const rect = canvas.getBoundingClientRect();
      const ndc = new THREE.Vector2(
        ((e.clientX - rect.left) / rect.width) * 2 - 1,
        -((e.clientY - rect.top) / rect.height) * 2 + 1,
      );
      const ray = new THREE.Raycaster();
      ray.setFromCamera(ndc, camera);
      onSelectRef.current(s.pick(ray.ray));
    };
    canvas.addEventListener("pointerdown", onDown);
    canvas.addEventListener("pointerup", onUp);

    return () => {
      observer.disconnect();
      canvas.removeEventListener("keydown", onKey);
      canvas.removeEventListener("pointerdown", onDown);
      canvas.removeEventListener("pointerup", onUp);
      if (frame) cancelAnimationFrame(frame);
      controls.dispose();
      renderer.dispose();
      canvas.remove();
      state.current = null;
      delete window.__matdiscoverViewer;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  // (re)build the drawn objects when the scene or mode changes
  useEffect(() => {
    const s = state.current;
    if (!s) return;
    const built = buildThreeScene(spec);
    s.root.add(built.group);
    s.pick = built.pick;
    const fit = () => {
      const dist = (spec.extent * 1.15) / Math.sin(THREE.MathUtils.degToRad(s.camera.fov / 2));
      const target = new THREE.Vector3(...spec.centre);
      const dir = new THREE.Vector3(0.35, 0.25, 1).normalize();
      s.controls.target.copy(target);
      s.camera.position.copy(target).addScaledVector(dir, Math.max(dist, 5));
      s.camera.near = Math.max(0.05, dist / 100);
      s.camera.far = dist * 10;
      s.camera.updateProjectionMatrix();
      s.controls.update();
      s.render();
    };
    s.home = fit;
    fit();
    window.__matdiscoverViewer = {
      atoms: spec.spheres.length,
      mode,
      get renders() {
        return s.renders;
      },
      objects: () => Object.fromEntries(built.group.children.map((c) => [c.name, c])),
      spin: (ms: number) =>
        new Promise((resolve) => {
          let frames = 0;
          const t0 = performance.now();
          const step = () => {
            built.group.rotation.y += 0.02;
            s.renderer.render(s.root, s.camera);
            frames += 1;
            const t = performance.now() - t0;
            if (t < ms) requestAnimationFrame(step);
            else resolve({ frames, seconds: t / 1000, fps: frames / (t / 1000) });
          };
          requestAnimationFrame(step);
        }),
    };
    return () => {
      s.root.remove(built.group);
      built.dispose();
    };
  }, [spec, mode]);

  // highlight the selected atom
  useEffect(() => {
    const s = state.current;
    if (!s) return;
    const atom = selected === null ? undefined : scene.atoms[selected];
    const sphere = spec.spheres.find((x) => x.atom === selected);
    if (atom) {
      const r = (sphere?.radius ?? atom.radius * 0.4) * 1.25 + 0.1;
      s.highlight.position.set(...(atom.position as [number, number, number]));
      s.highlight.scale.setScalar(r);
      s.highlight.visible = true;
    } else {
      s.highlight.visible = false;
    }
    s.render();
  }, [selected, scene, spec]);

  useImperativeHandle(ref, () => ({
    resetView: () => state.current?.home(),
    toPNG: () => {
      const s = state.current;
      if (!s) return "";
      s.renderer.render(s.root, s.camera);
      return s.renderer.domElement.toDataURL("image/png");
    },
  }));

  return <div ref={hostRef} className="viewer-canvas-host" />;
});
