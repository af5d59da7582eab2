/** The CodeRoom wordmark. */
export function Logo({ small = false }: { small?: boolean }) {
  return (
    <span className={small ? 'logo small' : 'logo'}>
      <svg aria-hidden="true" viewBox="0 0 32 32" width={small ? 22 : 30} height={small ? 22 : 30}>
        <rect width="32" height="32" rx="7" fill="var(--accent)" />
        <path d="M12 10l-6 6 6 6M20 10l6 6-6 6" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <span>CodeRoom</span>
    </span>
  );
}
