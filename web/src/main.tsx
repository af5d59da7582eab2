import './zodJitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import { App } from './App';
import './styles.css';
import { followTheme } from './ThemePicker';

// Before the first paint, so a light-theme user never sees a dark flash.
followTheme();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
