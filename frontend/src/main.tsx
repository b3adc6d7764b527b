import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { App } from "./App";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // network errors: retry twice; 404: retry briefly, because a just-created object can
      // be read before the request that created it has committed; other HTTP errors: none
      retry: (count, error) => {
        const status = (error as { status?: number }).status;
        if (status === 404) return count < 4;
        return count < 2 && !status;
      },
      retryDelay: (count) => Math.min(400 * 2 ** count, 3000),
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
