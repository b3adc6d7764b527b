import { Link } from "react-router-dom";

export function NotFoundPage() {
  return (
    <section className="page narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing here. Go to the <Link to="/">front page</Link> or{" "}
        <Link to="/materials">explore materials</Link>.
      </p>
    </section>
  );
}
