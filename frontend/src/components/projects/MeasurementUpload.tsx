/**
 * Upload a CSV / TSV / XLSX of measured values. The server stores all rows or none: a file
 * with bad rows answers 422 with every bad row, listed here row by row (row numbers as a
 * spreadsheet shows them); "Store the valid rows" stores the good ones and lists the rest.
 */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBox } from "../common/Status";
import { rowErrors, uploadMeasurements, type MeasurementImport, type RowError } from "./projectApi";
import { TableScroll } from "../common/TableScroll";

export function RowErrorTable({ errors, caption }: { errors: RowError[]; caption: string }) {
  return (
    <TableScroll label="Rejected rows">
      <table className="data row-errors" data-testid="row-errors">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">Row</th>
            <th scope="col">Column</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, i) => (
            <tr key={`${e.row}-${e.column ?? ""}-${i}`} data-testid="row-error">
              <td className="num">{e.row}</td>
              <td>{e.column ?? "—"}</td>
              <td className="wrap">{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function MeasurementUpload({ projectId, onStored }: { projectId: number; onStored: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [storeValid, setStoreValid] = useState(false);
  const [inputKey, setInputKey] = useState(0);
  const upload = useMutation<MeasurementImport, Error, File>({
    mutationFn: (f) => uploadMeasurements(projectId, f, storeValid),
    onSuccess: () => {
      setFile(null);
      setInputKey((k) => k + 1); // clears the file input
      onStored();
    },
  });
  const rejected = upload.isError ? rowErrors(upload.error) : null;
  const result = upload.data;
  return (
    <div className="measurement-upload">
      <p className="muted small">
        One row per measurement: <code>material_id</code>, <code>formula</code> or{" "}
        <code>sample_id</code>; <code>property</code>, <code>value</code>, and optionally{" "}
        <code>unit</code> (converted), <code>uncertainty</code>, <code>method</code>,{" "}
        <code>temperature</code>, <code>date</code>, <code>notes</code>.
      </p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (file) upload.mutate(file);
        }}
      >
        <label>
          <span className="sr-only">Measurements file</span>
          <input
            key={inputKey}
            type="file"
            accept=".csv,.tsv,.txt,.xlsx"
            data-testid="measurements-file"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              upload.reset();
            }}
          />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={storeValid} onChange={(e) => setStoreValid(e.target.checked)} />
          Store the valid rows even if some rows are bad
        </label>
        <button type="submit" className="primary" disabled={!file || upload.isPending}>
          {upload.isPending ? "Uploading…" : "Upload measurements"}
        </button>
      </form>
      {rejected && (
        <div className="error-box" role="alert" data-testid="upload-rejected">
          <strong>Nothing was stored.</strong> {rejected.length} problem{rejected.length === 1 ? "" : "s"}{" "}
          in the file: fix the rows below and upload it again, or tick “Store the valid rows”.
          <RowErrorTable errors={rejected} caption="Bad rows" />
        </div>
      )}
      {upload.isError && !rejected && <ErrorBox error={upload.error} />}
      {result && (
        <div className="upload-result" role="status" data-testid="upload-result">
          Stored {result.stored} measurement{result.stored === 1 ? "" : "s"}
          {result.items_added.length > 0 && `, added ${result.items_added.length} compound(s) to the project`}
          {result.ignored_columns.length > 0 && ` (ignored columns: ${result.ignored_columns.join(", ")})`}.
          {result.errors.length > 0 && (
            <RowErrorTable errors={result.errors} caption="Rows not stored" />
          )}
        </div>
      )}
    </div>
  );
}
