/** A quiet full-page placeholder while something loads. */
export function LoadingScreen({ label }: { label: string }) {
  return (
    <main className="center-page" aria-busy="true">
      <div className="loading">
        <span className="spinner" aria-hidden="true" />
        <span>{label}</span>
      </div>
    </main>
  );
}
