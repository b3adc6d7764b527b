/** Upload many structure files or zips; per-file progress, results, errors and warnings. */
import { Link } from "react-router-dom";
import { Dropzone } from "../components/materials/Dropzone";

export function UploadPage() {
  return (
    <div className="page narrow">
      <h1>Upload structures</h1>
      <p>
        Drop one or many structure files, or a .zip archive of them. Each structure is checked,
        stored as a material and queued for prediction of all properties. To screen a list of
        formulas instead, submit a <Link to="/jobs">batch job</Link>.
      </p>
      <Dropzone label="Drop files or a .zip here" />
    </div>
  );
}
