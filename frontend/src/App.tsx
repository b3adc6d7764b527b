/**
 * Layout and routes. Pages mirror the backend domains. AuthGate shows the login page
 * instead in server mode until the user has logged in (local mode: straight through).
 */
import { lazy, Suspense } from "react";
import { NavLink, Route, Routes } from "react-router-dom";
import { AuthGate, UserMenu } from "./auth/AuthGate";
import { Loading } from "./components/common/Status";
import { BatchPage } from "./routes/BatchPage";
import { CompoundPage } from "./routes/CompoundPage";
import { ExplorerPage } from "./routes/ExplorerPage";
import { HomePage } from "./routes/HomePage";
import { JobPage } from "./routes/JobPage";
import { MaterialPage } from "./routes/MaterialPage";
import { NotFoundPage } from "./routes/NotFoundPage";
import { UploadPage } from "./routes/UploadPage";

// Plotly is large: the models page (parity plots) loads it on demand
const ModelsPage = lazy(() => import("./routes/ModelsPage"));

const NAV = [
  { to: "/materials", label: "Explore" },
  { to: "/upload", label: "Upload" },
  { to: "/jobs", label: "Batch jobs" },
  { to: "/models", label: "Models" },
];

export function App() {
  return (
    <AuthGate>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" end>
          <span className="logo" aria-hidden="true" />
          MatDiscover
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <NavLink to={n.to}>{n.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <a className="api-link" href="/docs">
          API
        </a>
        <UserMenu />
      </header>
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
            <Route path="/models" element={<ModelsPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </main>
    </AuthGate>
  );
}
