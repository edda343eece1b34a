/**
 * The entry of the plain tab page of test/store/idb.test.ts: what a page's own code would
 * use, on `window.halsync`, so the test can drive two tabs of one origin.
 */
import { IdbStore } from '../../lib/store/idb.js';
import { LocalItems } from '../../lib/store/local.js';

export const tabApi = { IdbStore, LocalItems };
export type TabApi = typeof tabApi;

Object.assign(window, { halsync: tabApi });
