declare module "plotly.js-dist-min" {
  // Only what the models page uses; see https://plotly.com/javascript/
  const Plotly: {
    react: (el: HTMLElement, data: unknown[], layout?: unknown, config?: unknown) => Promise<unknown>;
    purge: (el: HTMLElement) => void;
  };
  export default Plotly;
}
