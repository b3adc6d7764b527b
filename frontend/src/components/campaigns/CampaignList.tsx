/** The project's campaigns: name, objectives, acquisition, rounds done, pool and results. */
import { Link } from "react-router-dom";
import { propertyLabel, unitSuffix } from "../../client/properties";
import { formatNumber } from "../../format/number";
import { TableScroll } from "../common/TableScroll";
import type { Campaign } from "./campaignApi";
import { objectiveText } from "./campaignForm";

export function bestText(best: Record<string, number>): string {
  const parts = Object.entries(best).map(([p, v]) => `${propertyLabel(p)} ${formatNumber(v)}${unitSuffix(p)}`);
  return parts.length ? parts.join("; ") : "—";
}

export function CampaignList({ projectId, campaigns }: { projectId: number; campaigns: Campaign[] }) {
  return (
    <TableScroll label="Campaigns">
      <table className="data" data-testid="campaigns-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Objectives</th>
            <th scope="col">Acquisition</th>
            <th scope="col" className="num">
              Rounds done
            </th>
            <th scope="col" className="num">
              Pool
            </th>
            <th scope="col" className="num">
              Results
            </th>
            <th scope="col">Best observed</th>
          </tr>
        </thead>
        <tbody>
          {campaigns.map((c) => (
            <tr key={c.id} data-testid="campaign-row" data-name={c.name}>
              <td>
                <Link to={`/projects/${projectId}/campaigns/${c.id}`}>{c.name}</Link>
              </td>
              <td>{c.objectives.map(objectiveText).join("; ")}</td>
              <td>
                {c.acquisition} (κ {formatNumber(c.kappa)})
              </td>
              <td className="num" data-testid="campaign-rounds">
                {c.status === "running" ? `${c.n_rounds - 1} (+1 running)` : c.n_rounds}
              </td>
              <td className="num">{c.n_candidates}</td>
              <td className="num">{c.n_results}</td>
              <td>{bestText(c.best)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
