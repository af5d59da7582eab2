import { z } from 'zod';

// The app runs under the hub's Content-Security-Policy, which allows no eval: zod must not compile
// parsers with `new Function` (even its probe reports a violation). Imported first by main.tsx, so it
// runs before any schema is built. It lives in the app, not in `@coderoom/shared`: that package is
// marked side-effect free for tree shaking, so the bundler would drop an import made only for effect.
z.config({ jitless: true });
