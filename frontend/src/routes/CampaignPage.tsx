/**
 * One discovery campaign: its settings, "Run next round" (a queued job followed live over
 * its event stream), and every round's ranked batch with its results form and summary,
 * newest first.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { Link, useParams } from "react-router-dom";
import type { Job } from "../client/api";
import { propertyLabel } from "../client/properties";
import { ErrorBox, Loading } from "../components/common/Status";
import {
  ACTIVE_ROUND,
  campaignKeys,
  getCampaign,
  listRounds,
  startRound,
  type Campaign,
} from "../components/campaigns/campaignApi";
import { objectiveText } from "../components/campaigns/campaignForm";
import { bestText } from "../components/campaigns/CampaignList";
import { RoundView } from "../components/campaigns/RoundView";
import { useFollowedJob } from "../components/jobs/followJob";
import { JobProgress } from "../components/jobs/JobProgress";
import { getProject, projectKeys } from "../components/projects/projectApi";
import { formatNumber } from "../format/number";
import { NotFoundPage } from "./NotFoundPage";

/** Live progress of a round's job; `onFinished` once it stops running. */
function RoundProgress({ jobId, onFinished }: { jobId: number; onFinished: () => void }) {
  const { job, active, live } = useFollowedJob(jobId, 3000, onFinished);
  if (job.isError) return <ErrorBox error={job.error} title="Could not load the round's job" />;
  if (!job.data) return <p className="muted">Job #{jobId} queued…</p>;
  const j: Job = job.data;
  return (
    <div className="batch-progress" data-testid="round-progress" data-status={j.status}>
      <p className="small">
        <Link to={`/jobs/${j.id}`}>Job #{j.id}</Link>{" "}
        <span className={`status-pill ${j.status}`}>{j.status}</span>
        {active && (live ? " · live" : " · connecting…")}
      </p>
      <JobProgress job={j} />
    </div>
  );
}

function Settings({ c }: { c: Campaign }) {
  const pool = c.pool as { source?: string; elements?: string[] };
  const constraints = Object.entries(c.constraints).filter(([, v]) => v !== null && v !== false && v !== undefined);
  return (
    <dl className="kv" data-testid="campaign-settings">
      <div className="kv-row">
        <dt>Objectives</dt>
        <dd>{c.objectives.map(objectiveText).join("; ")}</dd>
      </div>
      <div className="kv-row">
        <dt>Acquisition</dt>
        <dd>
          {c.acquisition}, κ {formatNumber(c.kappa)}, batch {c.batch_size}, diversity {formatNumber(c.diversity)}
        </dd>
      </div>
      <div className="kv-row">
        <dt>Pool</dt>
        <dd data-testid="campaign-pool">
          {c.n_candidates} candidates ({c.pool_source === "uploaded" ? "pasted" : c.pool_source}
          {pool.elements ? `: ${pool.elements.join("-")}` : ""}), {c.n_chosen} chosen so far
        </dd>
      </div>
      <div className="kv-row">
        <dt>Constraints</dt>
        <dd>{constraints.length ? constraints.map(([k, v]) => `${k.replace(/_/g, " ")}: ${JSON.stringify(v)}`).join("; ") : "none"}</dd>
      </div>
      <div className="kv-row">
        <dt>Results</dt>
        <dd data-testid="campaign-results">
          {c.n_results} · best observed: {bestText(c.best)}
        </dd>
      </div>
    </dl>
  );
}

export function CampaignPage() {
  const params = useParams();
  const projectId = Number(params.id);
  const campaignId = Number(params.cid);
  const client = useQueryClient();
  const valid = [projectId, campaignId].every((x) => Number.isInteger(x) && x > 0);
  const project = useQuery({ queryKey: projectKeys.one(projectId), queryFn: () => getProject(projectId), enabled: valid });
  const campaign = useQuery({
    queryKey: campaignKeys.one(projectId, campaignId),
    queryFn: () => getCampaign(projectId, campaignId),
    enabled: valid,
  });
  const rounds = useQuery({
    queryKey: campaignKeys.rounds(projectId, campaignId),
    queryFn: () => listRounds(projectId, campaignId),
    enabled: valid,
    // a fallback to the job's event stream while a round is being ranked
    refetchInterval: (q) => (q.state.data?.items.some((r) => ACTIVE_ROUND.has(r.status)) ? 4000 : false),
  });
  const refresh = useCallback(() => {
    void client.invalidateQueries({ queryKey: campaignKeys.one(projectId, campaignId) });
    void client.invalidateQueries({ queryKey: campaignKeys.list(projectId) });
  }, [client, projectId, campaignId]);
  const start = useMutation({ mutationFn: () => startRound(projectId, campaignId), onSuccess: refresh });

  if (!valid || (campaign.isError && (campaign.error as { status?: number }).status === 404)) return <NotFoundPage />;
  if (campaign.isPending) return <Loading />;
  if (campaign.isError) return <ErrorBox error={campaign.error} />;
  const c = campaign.data;
  const items = rounds.data?.items ?? [];
  const running = items.find((r) => ACTIVE_ROUND.has(r.status));
  const next = items.length + 1;
  // between the 202 and the refetched rounds, the queued round is not listed yet
  const awaiting = start.data !== undefined && !items.some((r) => r.id === start.data.id);
  return (
    <div className="page campaign-page">
      <p className="small">
        <Link to="/projects">Projects</Link> / <Link to={`/projects/${projectId}`}>{project.data?.name ?? `Project ${projectId}`}</Link> /
      </p>
      <h1>{c.name}</h1>
      <p className="muted">
        Campaign on {c.objectives.map((o) => propertyLabel(o.property).toLowerCase()).join(", ")} · {c.n_rounds} round
        {c.n_rounds === 1 ? "" : "s"}
      </p>
      <section className="panel" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings and summary</h2>
        <Settings c={c} />
      </section>
      <section className="panel" aria-labelledby="next-title">
        <h2 id="next-title">Next round</h2>
        <p className="muted small">
          Predicts the pool, refits on the results so far and ranks a batch of {c.batch_size}, never a candidate chosen
          or measured before.
        </p>
        <button
          type="button"
          className="primary"
          disabled={start.isPending || awaiting || running !== undefined || rounds.isPending}
          onClick={() => start.mutate()}
        >
          {running ? `Round ${running.index} running…` : `Run next round (${next})`}
        </button>
        {start.isError && <ErrorBox error={start.error} title="Round not started" />}
        {running?.job_id != null && <RoundProgress key={running.job_id} jobId={running.job_id} onFinished={refresh} />}
      </section>
      {rounds.isError && <ErrorBox error={rounds.error} />}
      {rounds.data && items.length === 0 && <p className="empty">No rounds yet: run the first one above.</p>}
      {[...items].reverse().map((r) => (
        <RoundView
          key={r.id}
          projectId={projectId}
          campaignId={campaignId}
          round={r}
          objectives={c.objectives}
          onChanged={refresh}
        />
      ))}
    </div>
  );
}

export default CampaignPage;
