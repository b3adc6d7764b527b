/**
 * Layout and routes. Pages mirror the backend domains. AuthGate shows the login page
 * instead in server mode until the user has logged in (local mode: straight through).
 */
import { lazy, Suspense, useEffect, useState } from "react";
import { NavLink, Route, Routes, useLocation } from "react-router-dom";
import { AuthGate, UserMenu, useAuth } from "./auth/AuthGate";
import { Loading } from "./components/common/Status";
import { BatchPage } from "./routes/BatchPage";
import { CampaignPage } from "./routes/CampaignPage";
import { CompoundPage } from "./routes/CompoundPage";
import { ExplorerPage } from "./routes/ExplorerPage";
import { HomePage } from "./routes/HomePage";
import { JobPage } from "./routes/JobPage";
import { MaterialPage } from "./routes/MaterialPage";
import { MoleculePage } from "./routes/MoleculePage";
import { MoleculesPage } from "./routes/MoleculesPage";
import { NotFoundPage } from "./routes/NotFoundPage";
import { ProjectPage } from "./routes/ProjectPage";
import { ProjectsPage } from "./routes/ProjectsPage";
import { UploadPage } from "./routes/UploadPage";

// the models page (parity plots of thousands of points) and the phase-diagram page load on demand
const ModelsPage = lazy(() => import("./routes/ModelsPage"));
const PhaseDiagramPage = lazy(() => import("./routes/PhaseDiagramPage"));

const NAV = [
  { to: "/materials", label: "Explore" },
  { to: "/upload", label: "Upload" },
  { to: "/jobs", label: "Batch jobs" },
  { to: "/projects", label: "Projects" },
  { to: "/molecules", label: "Molecules" },
  { to: "/phase-diagram", label: "Phase diagrams" },
  { to: "/models", label: "Models" },
];

/**
 * The top bar: brand, main navigation, API docs link and the user menu. Below 760 px the
 * navigation collapses behind a "Menu" button (closed again on every navigation).
 */
function TopBar() {
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const { me } = useAuth();
  useEffect(() => setOpen(false), [location.pathname]);
  // /docs is served in local mode; a server requiring login hides it unless configured
  const showApi = !me?.auth_required;
  return (
    <header className={`topbar${open ? " open" : ""}`}>
      <NavLink to="/" className="brand" end>
        <span className="logo" aria-hidden="true" />
        MatDiscover
      </NavLink>
      <button
        type="button"
        className="nav-toggle"
        aria-expanded={open}
        aria-controls="main-nav"
        onClick={() => setOpen((o) => !o)}
      >
        Menu
      </button>
      <nav aria-label="Main" id="main-nav">
        <ul>
          {NAV.map((n) => (
            <li key={n.to}>
              <NavLink to={n.to}>{n.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {showApi && (
        <a className="api-link" href="/docs">
          API
        </a>
      )}
      <UserMenu />
    </header>
  );
}

export function App() {
  return (
    <AuthGate>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<HomePage />} />
            <Route path="/materials" element={<ExplorerPage />} />
            <Route path="/materials/:id" element={<MaterialPage />} />
            <Route path="/compounds/:key" element={<CompoundPage />} />
            <Route path="/upload" element={<UploadPage />} />
            <Route path="/jobs" element={<BatchPage />} />
            <Route path="/jobs/:id" element={<JobPage />} />
            <Route path="/projects" element={<ProjectsPage />} />
            <Route path="/projects/:id" element={<ProjectPage />} />
            <Route path="/projects/:id/campaigns/:cid" element={<CampaignPage />} />
            <Route path="/models" element={<ModelsPage />} />
            <Route path="/molecules" element={<MoleculesPage />} />
            <Route path="/molecules/:id" element={<MoleculePage />} />
            <Route path="/phase-diagram" element={<PhaseDiagramPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </main>
    </AuthGate>
  );
}
