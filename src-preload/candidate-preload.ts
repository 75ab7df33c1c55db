// Preload entry of the candidate window (bundled to dist/preload/candidate.cjs).
import { exposeWindowApi } from './index';

exposeWindowApi('candidate');
