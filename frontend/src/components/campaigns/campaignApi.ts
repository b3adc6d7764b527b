/** Types and calls of the campaigns API (`/api/v1/projects/{id}/campaigns...`), from the generated client. */
import { api, unwrap, type Schemas } from "../../client/api";

export type Campaign = Schemas["CampaignRead"];
export type CampaignCreate = Schemas["CampaignCreate"];
export type Objective = Schemas["ObjectiveSpec"];
export type Acquisition = CampaignCreate["acquisition"];
export type Round = Schemas["RoundRead"];
export type BatchEntry = Schemas["BatchEntry"];
export type ResultsCreate = Schemas["ResultsCreate"];
export type ResultValue = Schemas["ResultValue"];

/** Rounds still being predicted and ranked (a job is queued or running). */
export const ACTIVE_ROUND = new Set(["queued", "running"]);

export const campaignKeys = {
  list: (projectId: number) => ["project", projectId, "campaigns"] as const,
  one: (projectId: number, campaignId: number) => ["project", projectId, "campaign", campaignId] as const,
  rounds: (projectId: number, campaignId: number) => ["project", projectId, "campaign", campaignId, "rounds"] as const,
};

const inProject = (projectId: number) => ({ params: { path: { project_id: projectId } } });
const inCampaign = (projectId: number, campaignId: number) => ({
  params: { path: { project_id: projectId, campaign_id: campaignId } },
});

export const listCampaigns = (projectId: number) =>
  unwrap(api.GET("/api/v1/projects/{project_id}/campaigns", inProject(projectId)));

export const createCampaign = (projectId: number, body: CampaignCreate) =>
  unwrap(api.POST("/api/v1/projects/{project_id}/campaigns", { ...inProject(projectId), body }));

export const getCampaign = (projectId: number, campaignId: number) =>
  unwrap(api.GET("/api/v1/projects/{project_id}/campaigns/{campaign_id}", inCampaign(projectId, campaignId)));

export const listRounds = (projectId: number, campaignId: number) =>
  unwrap(api.GET("/api/v1/projects/{project_id}/campaigns/{campaign_id}/rounds", inCampaign(projectId, campaignId)));

/** Queue the next round (202); its `job_id` is followed at `/jobs/{id}` and its event stream. */
export const startRound = (projectId: number, campaignId: number) =>
  unwrap(
    api.POST("/api/v1/projects/{project_id}/campaigns/{campaign_id}/rounds", {
      ...inCampaign(projectId, campaignId),
      body: { priority: "normal" },
    }),
  );

export const recordResults = (projectId: number, campaignId: number, roundIndex: number, body: ResultsCreate) =>
  unwrap(
    api.POST("/api/v1/projects/{project_id}/campaigns/{campaign_id}/rounds/{round_index}/results", {
      params: { path: { project_id: projectId, campaign_id: campaignId, round_index: roundIndex } },
      body,
    }),
  );
