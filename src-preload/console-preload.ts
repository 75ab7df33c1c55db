// Preload entry of the proctor/admin console window (bundled to dist/preload/console.cjs).
import { exposeWindowApi } from './index';

exposeWindowApi('console');
