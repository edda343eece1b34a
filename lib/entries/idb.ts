/** `halsync/idb`: the IndexedDB store of a web page (DESIGN §8). */
export { IdbStore } from '../store/idb.js';
