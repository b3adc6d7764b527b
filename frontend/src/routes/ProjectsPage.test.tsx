import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, POST, calls, postRoutes, renderAt, resetApi, routes } from "../test/mockApi";
import { project } from "../test/projectFixtures";
import { ProjectsPage } from "./ProjectsPage";

vi.mock("../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../client/api")>()),
  api: {
    GET: (...args: Parameters<typeof GET>) => GET(...args),
    POST: (...args: Parameters<typeof POST>) => POST(...args),
  },
}));

beforeEach(resetApi);
afterEach(cleanup);

describe("ProjectsPage", () => {
  it("lists the projects with their counts and creates one", async () => {
    routes.set("/api/v1/projects", () => ({ status: 200, body: { items: [project()] } }));
    postRoutes.set("/api/v1/projects", () => ({ status: 201, body: project({ id: 9, name: "New" }) }));
    renderAt("/projects", "/projects", <ProjectsPage />);
    const table = await screen.findByTestId("projects-table");
    expect(table.textContent).toContain("Wide-gap oxides");
    const cells = [...table.querySelectorAll("tbody td")].map((td) => td.textContent);
    expect(cells.slice(0, 4)).toEqual(["Wide-gap oxides", "Band gaps", "2", "3"]);
    expect(screen.getByRole("link", { name: "Wide-gap oxides" }).getAttribute("href")).toBe("/projects/7");
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: " New " } });
    fireEvent.click(screen.getByRole("button", { name: "Create project" }));
    // lands on the new project's page (here: the catch-all route)
    await screen.findByTestId("elsewhere");
    await waitFor(() => expect(calls.find((c) => c.body)?.body).toEqual({ name: "New", description: null }));
  });

  it("invites to create the first project", async () => {
    routes.set("/api/v1/projects", () => ({ status: 200, body: { items: [] } }));
    renderAt("/projects", "/projects", <ProjectsPage />);
    expect((await screen.findByText(/No projects yet/)).textContent).toContain("create one");
  });
});
