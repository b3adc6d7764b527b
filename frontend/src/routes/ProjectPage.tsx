/**
 * One project: its table of materials and compounds (predicted ± σ, measured and
 * reference values side by side; status, tags, notes), adding items, uploading
 * measurements, predicted vs measured (parity plot, metrics, residuals by chemistry),
 * recalibration and the CSV export.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { ALL_PROPERTIES, propertyLabel } from "../client/properties";
import { DownloadLink } from "../components/common/DownloadLink";
import { ErrorBox, Loading } from "../components/common/Status";
import { campaignKeys, listCampaigns } from "../components/campaigns/campaignApi";
import { CampaignCreateForm } from "../components/campaigns/CampaignCreateForm";
import { CampaignList } from "../components/campaigns/CampaignList";
import { AddItemForm } from "../components/projects/AddItemForm";
import { ItemTable } from "../components/projects/ItemTable";
import { MeasurementUpload } from "../components/projects/MeasurementUpload";
import { ParityPanel } from "../components/projects/ParityPanel";
import {
  exportUrl,
  getParity,
  getProject,
  listItems,
  listRecalibrations,
  projectKeys,
} from "../components/projects/projectApi";
import { RecalibrationPanel } from "../components/projects/RecalibrationPanel";
import { NotFoundPage } from "./NotFoundPage";

export function ProjectPage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const navigate = useNavigate();
  const [property, setProperty] = useState<string>("band_gap");
  const valid = Number.isInteger(id) && id > 0;
  const project = useQuery({ queryKey: projectKeys.one(id), queryFn: () => getProject(id), enabled: valid });
  const items = useQuery({ queryKey: projectKeys.items(id), queryFn: () => listItems(id), enabled: valid });
  const parity = useQuery({
    queryKey: projectKeys.parity(id, property),
    queryFn: () => getParity(id, property),
    enabled: valid,
  });
  const recal = useQuery({
    queryKey: projectKeys.recalibrations(id),
    queryFn: () => listRecalibrations(id),
    enabled: valid,
  });
  const campaigns = useQuery({
    queryKey: campaignKeys.list(id),
    queryFn: () => listCampaigns(id),
    enabled: valid,
  });
  // every change may move counts, the table, the parity numbers and recalibrations
  const refresh = () => void client.invalidateQueries({ queryKey: ["project", id] });

  if (!valid || (project.isError && (project.error as { status?: number }).status === 404)) {
    return <NotFoundPage />;
  }
  if (project.isPending) return <Loading />;
  if (project.isError) return <ErrorBox error={project.error} />;
  const p = project.data;
  return (
    <div className="page project-page">
      <p className="small">
        <Link to="/projects">Projects</Link> /
      </p>
      <div className="panel-head">
        <h1>{p.name}</h1>
        <DownloadLink url={exportUrl(id)} filename={`project-${id}.csv`} data-testid="export-csv">
          Export CSV
        </DownloadLink>
      </div>
      {p.description && <p className="project-description">{p.description}</p>}
      <p className="muted" data-testid="project-counts">
        {p.n_items} material{p.n_items === 1 ? "" : "s"} · {p.n_measurements} measurement
        {p.n_measurements === 1 ? "" : "s"}
      </p>

      <section className="panel" aria-labelledby="items-title">
        <div className="panel-head">
          <h2 id="items-title">Materials</h2>
          <label className="inline">
            Property
            <select value={property} onChange={(e) => setProperty(e.target.value)} data-testid="property-select">
              {ALL_PROPERTIES.map((k) => (
                <option key={k} value={k}>
                  {propertyLabel(k)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <AddItemForm projectId={id} onAdded={refresh} />
        {items.isPending && <Loading />}
        {items.isError && <ErrorBox error={items.error} />}
        {items.data && items.data.items.length === 0 && (
          <p className="empty">No materials yet: add an upload by its id or a known compound by its formula.</p>
        )}
        {items.data && items.data.items.length > 0 && (
          <ItemTable projectId={id} items={items.data.items} property={property} onChanged={refresh} />
        )}
      </section>

      <section className="panel" aria-labelledby="campaigns-title" data-testid="campaigns-section">
        <h2 id="campaigns-title">Campaigns</h2>
        <p className="muted small">
          A campaign ranks what to make or compute next, round by round, and learns from the results you enter.
        </p>
        {campaigns.isError && <ErrorBox error={campaigns.error} />}
        {campaigns.data && campaigns.data.items.length === 0 && <p className="empty">No campaigns yet.</p>}
        {campaigns.data && campaigns.data.items.length > 0 && (
          <CampaignList projectId={id} campaigns={campaigns.data.items} />
        )}
        <CampaignCreateForm
          projectId={id}
          nItems={p.n_items}
          onCreated={(c) => {
            void client.invalidateQueries({ queryKey: campaignKeys.list(id) });
            navigate(`/projects/${id}/campaigns/${c.id}`);
          }}
        />
      </section>

      <section className="panel" aria-labelledby="measurements-title">
        <h2 id="measurements-title">Upload measurements</h2>
        <MeasurementUpload projectId={id} onStored={refresh} />
        {p.n_measurements > 0 && (
          <p className="small">
            <Link to={`/models?project=${id}`} data-testid="train-from-project">
              Fine-tune a model on this project’s measurements
            </Link>{" "}
            <span className="muted">(compare it with the shipped model before your predictions use it)</span>
          </p>
        )}
      </section>

      <section className="panel" aria-labelledby="parity-title" data-testid="parity-section">
        <h2 id="parity-title">Predicted vs measured: {propertyLabel(property).toLowerCase()}</h2>
        {parity.isPending && <Loading />}
        {parity.isError && <ErrorBox error={parity.error} />}
        {parity.data && <ParityPanel parity={parity.data} />}
      </section>

      <section className="panel" aria-labelledby="recal-title">
        <h2 id="recal-title">Recalibration</h2>
        {recal.isError && <ErrorBox error={recal.error} />}
        <RecalibrationPanel
          projectId={id}
          property={property}
          recalibrations={recal.data?.items ?? []}
          onChanged={refresh}
        />
      </section>
    </div>
  );
}

export default ProjectPage;
