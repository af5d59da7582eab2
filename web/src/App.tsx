import { HomePage } from './HomePage';
import { RoomPage } from './RoomPage';
import { ErrorPage } from './ErrorPage';
import { parseRoute, usePathname } from './routing';
import { AccessPage } from './access/AccessPage';

/** Picks the page for the current URL. */
export function App() {
  const route = parseRoute(usePathname());
  switch (route.page) {
    case 'home':
      return <HomePage />;
    case 'room':
      // key: a different room is a fresh page (state, connection and all).
      return <RoomPage key={route.roomId} roomId={route.roomId} />;
    case 'access':
      return <AccessPage route={route.route} />;
    case 'not-found':
      return <ErrorPage title="Page not found" message="There is nothing at this address." />;
  }
}
