/** Projects: the organisation's projects with their counts, and a form to start one. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { Empty, ErrorBox, Loading } from "../components/common/Status";
import { createProject, listProjects, projectKeys } from "../components/projects/projectApi";
import { TableScroll } from "../components/common/TableScroll";

export function ProjectsPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const projects = useQuery({ queryKey: projectKeys.all, queryFn: listProjects });
  const create = useMutation({
    mutationFn: () => createProject(name.trim(), description.trim()),
    onSuccess: (p) => {
      void client.invalidateQueries({ queryKey: projectKeys.all });
      navigate(`/projects/${p.id}`);
    },
  });

  return (
    <div className="page">
      <h1>Projects</h1>
      <section className="panel" aria-labelledby="new-project-title">
        <h2 id="new-project-title">New project</h2>
        <form
          className="project-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) create.mutate();
          }}
        >
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
          </label>
          <label>
            Description
            <textarea
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              maxLength={5000}
              rows={2}
            />
          </label>
          <div>
            <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
              Create project
            </button>
          </div>
        </form>
        {create.isError && <ErrorBox error={create.error} />}
      </section>
      <section className="panel" aria-labelledby="projects-title">
        <h2 id="projects-title">Your projects</h2>
        {projects.isPending && <Loading />}
        {projects.isError && <ErrorBox error={projects.error} />}
        {projects.data && projects.data.items.length === 0 && (
          <Empty>No projects yet: create one above.</Empty>
        )}
        {projects.data && projects.data.items.length > 0 && (
          <TableScroll label="Projects">
            <table className="data" data-testid="projects-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col" className="num">Materials</th>
                  <th scope="col" className="num">Measurements</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {projects.data.items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/projects/${p.id}`}>{p.name}</Link>
                    </td>
                    <td className="wrap">{p.description ?? ""}</td>
                    <td className="num">{p.n_items}</td>
                    <td className="num">{p.n_measurements}</td>
                    <td>{new Date(p.created_at).toLocaleDateString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </div>
  );
}

export default ProjectsPage;
