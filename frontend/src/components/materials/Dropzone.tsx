/**
 * Drag-and-drop (or click / keyboard) file picker. Uploads each file separately so every
 * file gets its own progress, result, errors and warnings.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { Link } from "react-router-dom";
import {
  isUploadError,
  uploadStructureFile,
  type UploadedMaterial,
  type UploadError,
} from "../../client/api";

export interface FileState {
  key: string;
  name: string;
  size: number;
  status: "queued" | "uploading" | "done" | "failed";
  progress: number;
  created: UploadedMaterial[];
  errors: UploadError[];
  message?: string;
}

export const ACCEPT = ".cif,.mcif,.vasp,.poscar,.contcar,.xyz,.extxyz,.json,.zip,POSCAR,CONTCAR";

interface Props {
  /** Called once after all files of a drop finished. */
  onDone?: (files: FileState[]) => void;
  compact?: boolean;
  label?: string;
}

export function Dropzone({ onDone, compact, label = "Drop structure files here" }: Props) {
  const [files, setFiles] = useState<FileState[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const queryClient = useQueryClient();

  const update = (key: string, patch: Partial<FileState>) =>
    setFiles((fs) => fs.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  const start = useCallback(
    async (list: File[]) => {
      if (list.length === 0) return;
      const batch: FileState[] = list.map((f, i) => ({
        key: `${Date.now()}-${i}-${f.name}`,
        name: f.name,
        size: f.size,
        status: "queued",
        progress: 0,
        created: [],
        errors: [],
      }));
      setFiles((fs) => [...batch, ...fs]);
      const results: FileState[] = [];
      // two uploads at a time: parsing happens on the server
      let next = 0;
      const worker = async () => {
        while (next < list.length) {
          const i = next++;
          const f = list[i];
          const key = batch[i].key;
          update(key, { status: "uploading" });
          try {
            const out = await uploadStructureFile(f, (p) => update(key, { progress: p }));
            const created = out.filter((x): x is UploadedMaterial => !isUploadError(x));
            const errors = out.filter(isUploadError);
            const done = { ...batch[i], status: "done" as const, progress: 1, created, errors };
            update(key, done);
            results[i] = done;
          } catch (e) {
            const detail = (e as { detail?: { detail?: unknown } }).detail?.detail;
            const errors = Array.isArray(detail) ? (detail as UploadError[]) : [];
            const failed = {
              ...batch[i],
              status: "failed" as const,
              errors,
              message: errors.length ? undefined : (e as Error).message,
            };
            update(key, failed);
            results[i] = failed;
          }
        }
      };
      await Promise.all([worker(), worker()]);
      await queryClient.invalidateQueries({ queryKey: ["materials"] });
      onDone?.(results);
    },
    [onDone, queryClient],
  );

  return (
    <div className={`dropzone-wrap${compact ? " compact" : ""}`}>
      <div
        className={`dropzone${over ? " over" : ""}`}
        role="button"
        tabIndex={0}
        aria-describedby="dropzone-help"
        onClick={(e) => {
          if (e.target !== input.current) input.current?.click();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            input.current?.click();
          }
        }}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void start(Array.from(e.dataTransfer.files));
        }}
      >
        <strong>{label}</strong>
        <span id="dropzone-help" className="muted">
          or click to choose · CIF, POSCAR, extended XYZ, pymatgen JSON, or a .zip of them
        </span>
      </div>
      {/* a sibling, not a child, of the button-like drop area (no nested controls) */}
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPT}
        className="sr-only"
        aria-label="Choose structure files"
        tabIndex={-1}
        data-testid="file-input"
        onChange={(e) => {
          void start(Array.from(e.target.files ?? []));
          e.target.value = "";
        }}
      />
      {files.length > 0 && <UploadList files={files} />}
    </div>
  );
}

export function UploadList({ files }: { files: FileState[] }) {
  return (
    <ul className="upload-list" aria-label="Uploaded files" aria-live="polite">
      {files.map((f) => (
        <li key={f.key} className={`upload-item ${f.status}`} data-testid="upload-item">
          <div className="upload-head">
            <span className="filename">{f.name}</span>
            <span className="muted small">{(f.size / 1024).toFixed(1)} kB</span>
            <span className={`status-pill ${f.status}`}>{f.status}</span>
          </div>
          {(f.status === "uploading" || f.status === "queued") && (
            <progress max={1} value={f.progress} aria-label={`Uploading ${f.name}`} />
          )}
          {f.message && <p className="error small">{f.message}</p>}
          {f.created.length > 0 && (
            <ul className="created">
              {f.created.map((m) => (
                <li key={`${m.id}-${m.label}`}>
                  <Link to={`/materials/${m.id}`} data-testid="material-link">
                    {m.reduced_formula}
                  </Link>{" "}
                  <span className="muted small">
                    {m.label !== f.name && `${m.label} · `}
                    {m.space_group_symbol ?? "?"} · {m.nsites} sites
                    {m.duplicate_of && (
                      <>
                        {" · same crystal as "}
                        <Link to={`/materials/${m.duplicate_of}`}>#{m.duplicate_of}</Link>
                      </>
                    )}
                  </span>
                  {m.warnings.length > 0 && (
                    <ul className="warnings small">
                      {m.warnings.map((w) => (
                        <li key={w}>{w}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
          {f.errors.length > 0 && (
            <ul className="errors small">
              {f.errors.map((e, i) => (
                <li key={i}>{uploadErrorText(e, f.name)}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * An upload error without repeating the file name the list already shows: the member
 * name of a .zip is kept, a message that starts with the file name loses that prefix.
 */
export function uploadErrorText(e: UploadError, shownName: string): string {
  const base = (n: string) => n.split("/").pop() ?? n;
  let msg = e.error;
  for (const n of [e.filename, base(e.filename), shownName]) {
    if (n && msg.startsWith(`${n}: `)) msg = msg.slice(n.length + 2);
  }
  const same = !e.filename || base(e.filename) === base(shownName);
  return same ? msg : `${e.filename}: ${msg}`;
}
