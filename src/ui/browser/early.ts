/** Entry module of pages with charts, loaded before the Vega builds: starts fetching the chart specs. */
import { prefetchSpecs } from './chart-specs.js';

prefetchSpecs();
